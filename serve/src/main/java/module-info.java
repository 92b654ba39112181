/**
 * VecNN's HTTP server: {@link io.vecnn.serve.InferenceServer} serves {@link io.vecnn.Model}s over the KServe V2
 * (Open Inference Protocol) and V1 REST protocols, with dynamic batching, warm-up before ready, Prometheus
 * metrics and a graceful drain. It needs the runtime and the JDK's HTTP server, nothing else.
 */
module io.vecnn.serve {
    requires transitive io.vecnn;
    requires com.fasterxml.jackson.databind;
    requires jdk.httpserver;
    requires jdk.management;

    exports io.vecnn.serve;
}
