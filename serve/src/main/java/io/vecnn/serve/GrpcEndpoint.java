package io.vecnn.serve;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vecnn.VecnnException;
import io.vecnn.serve.grpc.GRPCInferenceServiceGrpc;
import io.vecnn.serve.grpc.ModelInferRequest;
import io.vecnn.serve.grpc.ModelInferResponse;
import io.vecnn.serve.grpc.ModelMetadataRequest;
import io.vecnn.serve.grpc.ModelMetadataResponse;
import io.vecnn.serve.grpc.ModelReadyRequest;
import io.vecnn.serve.grpc.ModelReadyResponse;
import io.vecnn.serve.grpc.ServerLiveRequest;
import io.vecnn.serve.grpc.ServerLiveResponse;
import io.vecnn.serve.grpc.ServerMetadataRequest;
import io.vecnn.serve.grpc.ServerMetadataResponse;
import io.vecnn.serve.grpc.ServerReadyRequest;
import io.vecnn.serve.grpc.ServerReadyResponse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The Open Inference Protocol (KServe V2) over gRPC: {@code inference.GRPCInferenceService} on a port of its
 * own, serving the same models, batchers, limits and metrics as the REST routes. Requests are checked by the
 * REST route's own {@link V2Routes#validate} (after {@link GrpcTensors} reads them), so both protocols accept
 * and refuse the same tensors with the same messages; only the status differs ({@link GrpcStatus}).
 *
 * <p>Inference is asynchronous: a call's thread hands the images to the model's batcher and returns; the
 * answer is written when the batch has run, on one of this endpoint's threads, so no thread waits for a batch.
 * On {@link #shutdown} the server takes no new calls and the calls in flight finish ({@link #awaitTermination}),
 * before the server closes the batchers.
 *
 * <p>The transport is grpc-netty-shaded: one jar, its Netty relocated, so it cannot clash with another Netty on
 * the class path (Spark's, in the spark module). It is built by reflection because that jar's only module
 * descriptor (a multi-release {@code module-info} of Netty's tcnative) exports no package: on the module path
 * its classes are not readable, whereas the reflective call reads them from the class path, where the launcher
 * and the container run everything.
 */
final class GrpcEndpoint {
    private static final String NETTY_SERVER_BUILDER = "io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder";

    private final Server server;
    private final ThreadPoolExecutor executor;
    private final int port;

    private GrpcEndpoint(Server server, ThreadPoolExecutor executor) {
        this.server = server;
        this.executor = executor;
        this.port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /**
     * Listens on {@code host:port} (0 picks a free port) and serves {@code models}; {@code stopping} is the
     * server's flag, which readiness reports.
     */
    static GrpcEndpoint start(
            String host,
            int port,
            Map<String, ServedModel> models,
            ServerConfig config,
            ServerMetrics metrics,
            BooleanSupplier stopping,
            String version,
            int id) {
        AtomicInteger thread = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(
                config.handlerThreads(),
                config.handlerThreads(),
                60,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "vecnn-grpc-" + id + "-" + thread.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        Service service = new Service(models, config, metrics, stopping, version, executor);
        try {
            Server server = builder(new InetSocketAddress(host, port))
                    .executor(executor)
                    // The REST body limit: a raw FP32 batch is as large over either protocol.
                    .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes()))
                    .addService(service)
                    .build()
                    .start();
            return new GrpcEndpoint(server, executor);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw new VecnnException("cannot serve gRPC on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static ServerBuilder<?> builder(SocketAddress address) {
        try {
            Object builder = Class.forName(NETTY_SERVER_BUILDER)
                    .getMethod("forAddress", SocketAddress.class)
                    .invoke(null, address);
            return (ServerBuilder<?>) builder;
        } catch (ClassNotFoundException e) {
            throw new VecnnException("the gRPC endpoint needs grpc-netty-shaded on the class path", e);
        } catch (ReflectiveOperationException e) {
            throw new VecnnException("cannot build the gRPC server: " + e, e);
        }
    }

    /** The port it listens on (the free one picked for 0); still known once it has stopped. */
    int port() {
        return port;
    }

    /** Takes no new calls from now on; the calls in flight go on. */
    void shutdown() {
        server.shutdown();
    }

    /** Waits up to {@code drain} for the calls in flight, then cancels what is left and stops the threads. */
    void awaitTermination(Duration drain) {
        try {
            server.awaitTermination(Math.max(0, drain.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.shutdownNow();
        executor.shutdown();
    }

    /** The service's six calls; each answers, whatever happens, with a response or a status. */
    private static final class Service extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
        private final Map<String, ServedModel> models;
        private final ServerConfig config;
        private final ServerMetrics metrics;
        private final BooleanSupplier stopping;
        private final String version;
        private final ExecutorService executor;

        Service(
                Map<String, ServedModel> models,
                ServerConfig config,
                ServerMetrics metrics,
                BooleanSupplier stopping,
                String version,
                ExecutorService executor) {
            this.models = models;
            this.config = config;
            this.metrics = metrics;
            this.stopping = stopping;
            this.version = version;
            this.executor = executor;
        }

        @Override
        public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
            answer(
                    "grpc_server_live",
                    out,
                    () -> ServerLiveResponse.newBuilder().setLive(true).build());
        }

        @Override
        public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
            answer(
                    "grpc_server_ready",
                    out,
                    () -> ServerReadyResponse.newBuilder()
                            .setReady(ServedModel.notReady(models.values(), stopping.getAsBoolean()) == null)
                            .build());
        }

        @Override
        public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
            answer(
                    "grpc_model_ready",
                    out,
                    () -> ModelReadyResponse.newBuilder()
                            .setReady(model(request.getName(), request.getVersion())
                                            .notReady(stopping.getAsBoolean())
                                    == null)
                            .build());
        }

        @Override
        public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
            // The REST extensions (binary tensor data, classification, repository) are not gRPC's: none listed.
            answer(
                    "grpc_server_metadata",
                    out,
                    () -> ServerMetadataResponse.newBuilder()
                            .setName("vecnn")
                            .setVersion(version)
                            .build());
        }

        @Override
        public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
            answer("grpc_model_metadata", out, () -> {
                ServedModel model = model(request.getName(), request.getVersion());
                return ModelMetadataResponse.newBuilder()
                        .setName(model.name())
                        .addVersions(ServedModel.VERSION)
                        .setPlatform("vecnn")
                        .addInputs(GrpcTensors.metadata(V2Routes.INPUT, model.inputShape()))
                        .addOutputs(GrpcTensors.metadata(V2Routes.OUTPUT, model.outputShape()))
                        .build();
            });
        }

        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
            long start = System.nanoTime();
            long deadline = start + config.requestTimeout().toNanos();
            Deadline callerDeadline = Context.current().getDeadline();
            if (callerDeadline != null) {
                long callerNanos = start + callerDeadline.timeRemaining(TimeUnit.NANOSECONDS);
                if (callerNanos - deadline < 0) {
                    deadline = callerNanos;
                }
            }
            long due = deadline;
            CompletableFuture<float[]> result;
            ServedModel model;
            V2InferRequest v2;
            int images;
            try {
                model = model(request.getModelName(), request.getModelVersion());
                v2 = GrpcTensors.read(request);
                images = V2Routes.validate(v2, model);
                result = model.batcher().submit(v2.inputs().get(0).data(), images, due);
            } catch (RuntimeException e) {
                fail("grpc_model_infer", out, e, System.nanoTime() - due >= 0, start);
                return;
            }
            if (out instanceof ServerCallStreamObserver<ModelInferResponse> call) {
                // A client that gave up frees its place in the batch, if the batch has not run yet.
                call.setOnCancelHandler(() -> result.cancel(false));
            }
            // A little past the batcher's own deadline, which answers first with a precise message.
            result.orTimeout(config.requestTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                    .whenCompleteAsync(
                            (logits, error) -> {
                                if (error != null) {
                                    fail("grpc_model_infer", out, error, System.nanoTime() - due >= 0, start);
                                    return;
                                }
                                ModelInferResponse response;
                                try {
                                    response = GrpcTensors.response(request, model, images, logits);
                                } catch (RuntimeException e) {
                                    fail("grpc_model_infer", out, e, false, start);
                                    return;
                                }
                                complete("grpc_model_infer", out, response, start);
                            },
                            executor);
        }

        private ServedModel model(String name, String modelVersion) {
            ServedModel model = ServedModel.named(models, name);
            if (!modelVersion.isEmpty() && !modelVersion.equals(ServedModel.VERSION)) {
                throw new HttpError(
                        404,
                        "model '" + name + "' has no version '" + modelVersion + "'; it has version "
                                + ServedModel.VERSION);
            }
            return model;
        }

        private <T> void answer(String endpoint, StreamObserver<T> out, java.util.function.Supplier<T> body) {
            long start = System.nanoTime();
            T response;
            try {
                response = body.get();
            } catch (RuntimeException e) {
                fail(endpoint, out, e, false, start);
                return;
            }
            complete(endpoint, out, response, start);
        }

        private <T> void complete(String endpoint, StreamObserver<T> out, T response, long start) {
            try {
                out.onNext(response);
                out.onCompleted();
                metrics.request(endpoint, 200, System.nanoTime() - start);
            } catch (RuntimeException e) {
                // The call was cancelled (the client went away): nothing is left to tell it.
                metrics.request(endpoint, 499, System.nanoTime() - start);
            }
        }

        /** Answers {@code error} as a status; {@code late}: the call's deadline had passed by then. */
        private void fail(String endpoint, StreamObserver<?> out, Throwable error, boolean late, long start) {
            Throwable cause = error;
            while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                    && cause.getCause() != null) {
                cause = cause.getCause();
            }
            GrpcStatus status = GrpcStatus.of(cause, late);
            try {
                out.onError(status.status().asRuntimeException());
            } catch (RuntimeException e) {
                // Cancelled meanwhile; the metric still counts the failure.
            }
            metrics.request(endpoint, status.httpStatus(), System.nanoTime() - start);
        }
    }

    /** A failure as a gRPC status, and as the HTTP status the metrics record for it (the REST route's). */
    record GrpcStatus(Status status, int httpStatus) {
        static GrpcStatus of(Throwable error, boolean late) {
            if (error instanceof HttpError e) {
                Status.Code code = switch (e.status()) {
                    case 400, 405, 413, 415 -> Status.Code.INVALID_ARGUMENT;
                    case 404 -> Status.Code.NOT_FOUND;
                    case 503 ->
                        // The batcher answers 503 both when full and when a request's time is up.
                        late ? Status.Code.DEADLINE_EXCEEDED : Status.Code.UNAVAILABLE;
                    default -> Status.Code.INTERNAL;
                };
                return new GrpcStatus(Status.fromCode(code).withDescription(e.getMessage()), e.status());
            }
            if (error instanceof TimeoutException) {
                return new GrpcStatus(
                        Status.DEADLINE_EXCEEDED.withDescription("no answer within the request timeout"), 503);
            }
            if (error instanceof CancellationException) {
                return new GrpcStatus(Status.CANCELLED.withDescription("the call was cancelled"), 499);
            }
            return new GrpcStatus(Status.INTERNAL.withDescription("internal error: " + error), 500);
        }
    }
}
