/**
 * VecNN's HTTP server: {@link io.vecnn.serve.InferenceServer} serves {@link io.vecnn.Model}s over the KServe V2
 * (Open Inference Protocol) and V1 REST protocols, with dynamic batching, warm-up before ready, Prometheus
 * metrics and a graceful drain, and the V2 protocol over gRPC as well. It needs the runtime, the JDK's HTTP
 * server, Jackson, and for gRPC grpc-java (Netty transport) and protobuf.
 */
module io.vecnn.serve {
    requires transitive io.vecnn;
    requires com.fasterxml.jackson.databind;
    requires jdk.httpserver;
    requires jdk.management;
    // The KServe V2 gRPC endpoint: automatic modules. The transport, grpc-netty-shaded, is not required: its
    // only descriptor (Netty tcnative's) exports nothing, so it goes on the class path, where GrpcEndpoint
    // finds it at run time.
    requires io.grpc;
    requires io.grpc.stub;
    requires io.grpc.protobuf;
    requires com.google.protobuf;
    requires com.google.common; // the generated future stub's ListenableFuture
    // Guava's futures (which grpc-core uses) need failureaccess, an explicit module that Guava, as an automatic
    // module, cannot require itself: without this it is not resolved on the module path.
    requires com.google.common.util.concurrent.internal;

    exports io.vecnn.serve;
}
