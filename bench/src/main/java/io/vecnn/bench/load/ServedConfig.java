package io.vecnn.bench.load;

import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.serve.BatchingConfig;
import io.vecnn.serve.InferenceServer;
import io.vecnn.serve.ServerConfig;

import java.time.Duration;
import java.util.Map;

/**
 * How the in-process server of {@code loadtest --serve} is set up for one configuration.
 *
 * @param maxBatch     images per batch the dynamic batcher may form; 1 is batching off
 * @param maxDelayUs   how long, in µs, the first request of a batch waits for company
 * @param instances    batches in flight at once
 * @param threads      the model's intra-op threads
 */
public record ServedConfig(int maxBatch, long maxDelayUs, int instances, int threads) {

    /**
     * Starts a server for {@code model} on a free loopback port, with a handler thread for every client, and
     * returns once it is ready (warmed up), as a load balancer would wait before sending it traffic.
     */
    public InferenceServer start(Model model, String name, int clients) {
        ServerConfig defaults = ServerConfig.defaults();
        // A handler thread waits for its request's batch; with fewer handlers than clients the handler pool,
        // not --max-batch, would cap the batches the server can form.
        ServerConfig config = defaults.withPort(0)
                .withBatching(batching())
                .withHandlerThreads(Math.max(defaults.handlerThreads(), clients));
        InferenceServer server = InferenceServer.start(config, Map.of(name, model));
        try {
            if (!server.awaitReady(config.warmup().plusSeconds(60))) {
                server.stop(Duration.ofSeconds(5));
                throw new VecnnException("the in-process server for '" + name + "' did not become ready");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop(Duration.ofSeconds(5));
            throw new VecnnException("interrupted while the in-process server warmed up", e);
        }
        return server;
    }

    /** The server's batching for this setup; a {@link io.vecnn.VecnnException} says which value is out of range. */
    public BatchingConfig batching() {
        return new BatchingConfig(
                maxBatch, Duration.ofNanos(maxDelayUs * 1000), BatchingConfig.NONE.queueCapacity(), instances);
    }

    /** A short label for tables and progress lines, e.g. {@code batch≤8 1000µs 1i 2t}. */
    public String label() {
        return "batch≤" + maxBatch + " " + maxDelayUs + "µs " + instances + "i " + threads + "t";
    }
}
