package io.vecnn.tools;

import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.serve.BatchingConfig;
import io.vecnn.serve.ImageLimits;
import io.vecnn.serve.InferenceServer;
import io.vecnn.serve.ModelSource;
import io.vecnn.serve.ServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(
        name = "serve",
        description = "Serve models over HTTP: KServe V2 (Open Inference Protocol) under /v2, "
                + "JPEG/PNG/NPY top-k under /v1/models/NAME:predict, /healthz and Prometheus /metrics. "
                + "POST /v2/repository/models/NAME/load rereads NAME's file and swaps it in without losing a request.")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "[NAME=]FILE",
            description = "a model file to serve, as NAME=FILE or FILE (named after the file); repeat for several")
    List<String> models;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default loopback)")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default 8080; 0 picks a free one)")
    int port;

    @Option(
            names = "--grpc-port",
            paramLabel = "PORT",
            description = "also serve the KServe V2 protocol over gRPC (inference.GRPCInferenceService) on this "
                    + "port of --host (0 picks a free one); off unless given")
    Integer grpcPort;

    @Option(names = "--threads", description = "intra-op threads per model (default: available processors)")
    Integer threads;

    @Option(
            names = "--max-batch",
            defaultValue = "1",
            description = "dynamic batching: most images per batch (default 1: batching off)")
    int maxBatch;

    @Option(
            names = "--max-delay-us",
            defaultValue = "2000",
            description = "dynamic batching: how long a batch's first request waits for more, in µs (default 2000)")
    long maxDelayMicros;

    @Option(names = "--queue", defaultValue = "256", description = "requests that may wait per model; more get 503")
    int queue;

    @Option(names = "--instances", defaultValue = "1", description = "batches in flight at once per model")
    int instances;

    @Option(names = "--max-body", defaultValue = "16777216", description = "largest request body in bytes (413 above)")
    long maxBody;

    @Option(names = "--timeout-ms", defaultValue = "30000", description = "request timeout: queue plus run (503 after)")
    long timeoutMillis;

    @Option(
            names = "--read-timeout-ms",
            defaultValue = "30000",
            description = "how long a client may take to send a request's head, then its body (408 after)")
    long readTimeoutMillis;

    @Option(names = "--drain-s", defaultValue = "10", description = "on shutdown, seconds to finish requests in flight")
    long drainSeconds;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "30",
            description = "after binding, warm the models up for at most this long before reporting ready "
                    + "(/v2/health/ready is 503 meanwhile); 0 reports ready at once (default 30)")
    double warmupSeconds;

    @Option(
            names = "--decode-budget-mb",
            description = "heap the images being decoded at once may take together; more wait, then get 503"
                    + " (default: a quarter of the heap)")
    Long decodeBudgetMb;

    @Option(
            names = "--max-image-pixels",
            defaultValue = "64000000",
            description = "the largest image decoded, in pixels (413 above; default and most 64000000)")
    long maxImagePixels;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, ModelSource> sources = new LinkedHashMap<>();
        for (String spec : models) {
            int eq = spec.indexOf('=');
            Path file = Path.of(eq < 0 ? spec : spec.substring(eq + 1));
            String name = eq < 0 ? file.getFileName().toString().replaceFirst("\\.vnn$", "") : spec.substring(0, eq);
            if (sources.containsKey(name)) {
                throw new VecnnException("two models are named '" + name + "'; name them with NAME=FILE");
            }
            sources.put(name, threads == null ? ModelSource.of(file) : ModelSource.of(file, threads));
        }
        if (!(warmupSeconds >= 0) || warmupSeconds > 86_400) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--warmup-seconds must be between 0 and 86400, got " + warmupSeconds);
        }
        if (grpcPort != null && (grpcPort < 0 || grpcPort > 65535)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--grpc-port must be between 0 and 65535, got " + grpcPort);
        }
        BatchingConfig batching =
                new BatchingConfig(maxBatch, Duration.ofNanos(maxDelayMicros * 1000), queue, instances);
        ServerConfig config = ServerConfig.defaults()
                .withHost(host)
                .withPort(port)
                .withMaxBodyBytes(maxBody)
                .withRequestTimeout(Duration.ofMillis(timeoutMillis))
                .withReadTimeout(Duration.ofMillis(readTimeoutMillis))
                .withBatching(batching)
                .withWarmup(Duration.ofMillis(Math.round(warmupSeconds * 1000)));
        ImageLimits images = ImageLimits.defaults();
        config = config.withImages(new ImageLimits(
                decodeBudgetMb == null ? images.decodeBudgetBytes() : decodeBudgetMb << 20,
                maxImagePixels,
                images.maxAspectRatio()));
        // The server read the models, so it owns them: it closes them when they are reloaded and when it stops.
        InferenceServer server = InferenceServer.startFromFiles(config, sources);
        if (grpcPort != null) {
            try {
                server.serveGrpc(grpcPort);
            } catch (RuntimeException e) {
                server.stop(Duration.ZERO);
                throw e;
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.err.println(
                                    "vecnn serve: draining requests in flight (up to " + drainSeconds + " s)");
                            server.stop(Duration.ofSeconds(drainSeconds));
                            stopped.countDown();
                        },
                        "vecnn-serve-shutdown"));
        for (String name : sources.keySet()) {
            Model model = server.model(name);
            System.out.printf(
                    "serving %s (%s in, %d classes) at %s/v2/models/%s%n",
                    name, model.inputShape(), model.outputShape().size(), server.uri(), name);
        }
        System.out.printf(
                "listening on %s (batching: max %d images, %d µs; %d intra-op threads per model); " + "Ctrl-C stops%n",
                server.uri(),
                maxBatch,
                maxDelayMicros,
                server.model(sources.keySet().iterator().next()).threads());
        if (server.grpcPort().isPresent()) {
            System.out.printf(
                    "gRPC (KServe V2, inference.GRPCInferenceService) on %s:%d%n",
                    host, server.grpcPort().getAsInt());
        }
        if (warmupSeconds > 0) {
            System.out.printf(
                    Locale.ROOT, "warming up (up to %.0f s); /v2/health/ready answers 503 until done%n", warmupSeconds);
        }
        System.out.flush();
        if (server.awaitReady(Duration.ofDays(365))) {
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT,
                    "ready in %.2f s",
                    server.timeToReady().orElseThrow().toNanos() / 1e9));
            for (String name : sources.keySet()) {
                server.warmup(name)
                        .ifPresent(
                                r -> line.append("; ").append(name).append(": ").append(r.summary()));
            }
            System.out.println(line);
            System.out.flush();
        }
        stopped.await();
        return 0;
    }
}
