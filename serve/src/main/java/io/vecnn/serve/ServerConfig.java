package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.VecnnException;

import java.time.Duration;

/**
 * Where and how the server listens.
 *
 * @param host           address to bind; loopback by default, so a model is not exposed by accident
 * @param port           TCP port; 0 picks a free one (see {@link InferenceServer#port()})
 * @param maxBodyBytes   largest request body accepted; larger ones get 413 before they are read
 * @param handlerThreads threads that parse requests and write responses (inference runs on the models' pools)
 * @param requestTimeout how long a request may wait in the queue and run before it is answered 503
 * @param readTimeout    how long a client may take to send a request's head, and then its body: a head that
 *                       has not arrived by then has its connection closed, a body is answered 408 and its
 *                       connection closed. A total, not a gap between reads, so trickling a byte at a time
 *                       does not extend it
 * @param batching       the dynamic batching every model gets
 * @param warmup         how long the server may warm its models up after binding the port ({@link
 *                       Model#warmUp}) before it reports ready, for all models together; zero skips
 *                       the warm-up and reports ready at once. A reloaded model gets as long again before it
 *                       replaces the old one
 * @param images         which images the server decodes, and how many bytes of them at once
 */
public record ServerConfig(
        String host,
        int port,
        long maxBodyBytes,
        int handlerThreads,
        Duration requestTimeout,
        Duration readTimeout,
        BatchingConfig batching,
        Duration warmup,
        ImageLimits images) {

    public static final long DEFAULT_MAX_BODY = 16L << 20;

    /** A body is read into one byte array, so no limit may pass the largest array a JVM gives. */
    public static final long MAX_BODY_LIMIT = Integer.MAX_VALUE - 8;

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new VecnnException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new VecnnException("port must be between 0 and 65535, got " + port);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > MAX_BODY_LIMIT) {
            throw new VecnnException(
                    "max body must be between 1024 and " + MAX_BODY_LIMIT + " bytes, got " + maxBodyBytes);
        }
        if (handlerThreads < 1) {
            throw new VecnnException("handler threads must be at least 1, got " + handlerThreads);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new VecnnException("request timeout must be positive, got " + requestTimeout);
        }
        if (readTimeout == null || readTimeout.isNegative() || readTimeout.isZero()) {
            throw new VecnnException("read timeout must be positive, got " + readTimeout);
        }
        if (batching == null) {
            throw new VecnnException("batching config is null");
        }
        if (warmup == null || warmup.isNegative()) {
            throw new VecnnException("warm-up time must be zero or positive, got " + warmup);
        }
        if (images == null) {
            throw new VecnnException("image limits are null");
        }
    }

    /**
     * Loopback, port 8080, 16 MiB bodies, 32 handler threads, 30 s request timeout, 30 s read timeout (a 16 MiB
     * body at 1 MB/s still arrives), batching off, up to 30 s of warm-up.
     */
    public static ServerConfig defaults() {
        return new ServerConfig(
                "127.0.0.1",
                8080,
                DEFAULT_MAX_BODY,
                32,
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                BatchingConfig.NONE,
                Model.DEFAULT_WARMUP_BUDGET,
                ImageLimits.defaults());
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }

    public ServerConfig withHost(String host) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }

    public ServerConfig withMaxBodyBytes(long maxBodyBytes) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }

    public ServerConfig withHandlerThreads(int handlerThreads) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }

    public ServerConfig withRequestTimeout(Duration requestTimeout) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }

    public ServerConfig withReadTimeout(Duration readTimeout) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }

    public ServerConfig withBatching(BatchingConfig batching) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }

    public ServerConfig withWarmup(Duration warmup) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }

    public ServerConfig withImages(ImageLimits images) {
        return new ServerConfig(
                host, port, maxBodyBytes, handlerThreads, requestTimeout, readTimeout, batching, warmup, images);
    }
}
