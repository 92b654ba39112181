package io.vecnn.serve;

import io.vecnn.VecnnException;

import java.time.Duration;

/**
 * How a served model groups requests into batches, as Triton's dynamic batcher does: a batch closes when it
 * holds {@code maxBatch} images or when its first request has waited {@code maxDelay}, whichever comes first.
 * Requests wait in a queue of at most {@code queueCapacity} requests; when it is full the server answers 503
 * with {@code Retry-After} instead of letting latency grow. {@code instances} threads take batches from the
 * queue and run them concurrently, each on the model's shared intra-op pool.
 *
 * @param maxBatch      images per batch; 1 turns batching off (each request runs on its own)
 * @param maxDelay      how long the first request of a batch waits for company
 * @param queueCapacity requests that may wait; more are refused
 * @param instances     batches in flight at once (Triton's instance count)
 */
public record BatchingConfig(int maxBatch, Duration maxDelay, int queueCapacity, int instances) {

    /** Batching off: one request per run, one run at a time, a queue of 256. */
    public static final BatchingConfig NONE = new BatchingConfig(1, Duration.ZERO, 256, 1);

    public BatchingConfig {
        if (maxBatch < 1 || maxBatch > 1024) {
            throw new VecnnException("max batch must be between 1 and 1024, got " + maxBatch);
        }
        if (maxDelay == null || maxDelay.isNegative() || maxDelay.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new VecnnException("max batching delay must be between 0 and 1 s, got " + maxDelay);
        }
        if (queueCapacity < 1) {
            throw new VecnnException("queue capacity must be at least 1, got " + queueCapacity);
        }
        if (instances < 1 || instances > 64) {
            throw new VecnnException("instances must be between 1 and 64, got " + instances);
        }
    }

    /** Batches of up to {@code maxBatch} images, waiting at most {@code maxDelayMicros} µs; queue of 256. */
    public static BatchingConfig dynamic(int maxBatch, long maxDelayMicros) {
        return new BatchingConfig(maxBatch, Duration.ofNanos(maxDelayMicros * 1000), 256, 1);
    }
}
