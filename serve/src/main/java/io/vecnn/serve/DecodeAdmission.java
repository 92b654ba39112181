package io.vecnn.serve;

import io.vecnn.image.ImageHeader;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Admission for image decoding: a request reserves the memory its image's decoding takes (known from the
 * header, {@link ImageHeader#decodeBytes()}) from the {@link ImageLimits#decodeBudgetBytes() budget} before
 * decoding, and gives it back after. When the budget is taken it waits up to {@link #WAIT}, then is answered
 * 503 with {@code Retry-After}: many large uploads at once queue or are turned away, and never run the heap
 * out. An image refused by the limits never waits.
 */
final class DecodeAdmission {
    static final Duration WAIT = Duration.ofSeconds(2);
    private static final long MIB = 1 << 20;

    private final ImageLimits limits;
    private final ServerMetrics metrics;
    private long reserved;

    DecodeAdmission(ImageLimits limits, ServerMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    /** A reservation for decoding one image; closing it gives the memory back. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /** Checks {@code image} against the limits, then reserves its decoding memory (waiting up to {@link #WAIT}). */
    Permit admit(ImageHeader image) throws InterruptedException {
        String size = image.format() + " image of " + image.width() + "x" + image.height();
        if (image.pixels() > limits.maxPixels()) {
            throw new HttpError(
                    413,
                    size + " has " + image.pixels() + " pixels; this server decodes at most " + limits.maxPixels()
                            + " (--max-image-pixels): send a smaller image");
        }
        if (image.aspectRatio() > limits.maxAspectRatio()) {
            throw new HttpError(
                    422,
                    size + " is more elongated than " + limits.maxAspectRatio()
                            + ":1, the most this server decodes; crop or pad it first");
        }
        long bytes = image.decodeBytes();
        if (bytes > limits.decodeBudgetBytes()) {
            throw new HttpError(
                    413,
                    size + " takes about " + bytes / MIB + " MiB to decode, more than this server's whole decode"
                            + " budget of " + limits.decodeBudgetBytes() / MIB
                            + " MiB (--decode-budget-mb, within the heap): send a smaller image");
        }
        reserve(bytes, size);
        return () -> release(bytes);
    }

    private synchronized void reserve(long bytes, String size) throws InterruptedException {
        if (reserved + bytes <= limits.decodeBudgetBytes()) {
            reserved += bytes;
            return;
        }
        metrics.decodeAdmission("waited");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (reserved + bytes > limits.decodeBudgetBytes()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                metrics.decodeAdmission("refused");
                throw new HttpError(
                        503,
                        "the server is decoding " + reserved / MIB + " MiB of images, its budget is "
                                + limits.decodeBudgetBytes() / MIB + " MiB, and the " + size + " needs "
                                + bytes / MIB + " MiB more; retry shortly",
                        1);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        reserved += bytes;
    }

    private synchronized void release(long bytes) {
        reserved -= bytes;
        notifyAll();
    }

    /** Bytes reserved now (for tests and metrics). */
    synchronized long reserved() {
        return reserved;
    }
}
