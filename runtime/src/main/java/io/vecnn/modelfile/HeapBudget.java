package io.vecnn.modelfile;

import io.vecnn.VecnnException;

import java.nio.file.Path;
import java.util.function.LongUnaryOperator;

/**
 * Whether the heap can hold a model's weights, asked before they are read, so that a model too large for
 * the JVM gets a message with the sizes and the flag to change instead of an OutOfMemoryError halfway through.
 */
final class HeapBudget {
    static final HeapBudget JVM = new HeapBudget(HeapBudget::jvmAvailable);

    private final LongUnaryOperator available;

    /** @param available the bytes the heap can still give, asked once per model read with the bytes it needs */
    HeapBudget(LongUnaryOperator available) {
        this.available = available;
    }

    /** @return the bytes available before the read, for {@link #exhausted} if the read still runs out */
    long reserve(long bytes, Path path) {
        long left = available.applyAsLong(bytes);
        if (bytes > left) {
            throw exhausted(bytes, left, path);
        }
        return left;
    }

    /** Refused before reading: the heap plainly cannot hold the weights. */
    private static VecnnException exhausted(long bytes, long left, Path path) {
        return new VecnnException(
                path + ": model needs " + megabytes(bytes) + " MB of heap for its weights, the JVM has "
                        + megabytes(left) + " MB left (max heap " + maxHeap() + " MB); raise -Xmx");
    }

    /**
     * Ran out while reading although the estimate said it would fit: the heap's regions and the arrays'
     * sizes do not add up exactly, and other threads allocate too.
     */
    VecnnException ranOut(long bytes, long left, Path path) {
        return new VecnnException(path + ": model needs " + megabytes(bytes)
                + " MB of heap for its weights, the JVM had " + megabytes(left)
                + " MB left but ran out while reading them (max heap " + maxHeap() + " MB); raise -Xmx");
    }

    private static long maxHeap() {
        return megabytes(Runtime.getRuntime().maxMemory());
    }

    private static long jvmAvailable(long needed) {
        long left = unused();
        if (left < needed) {
            // Used heap counts garbage not yet collected; one collection before refusing a model that would fit.
            System.gc();
            left = unused();
        }
        return left;
    }

    private static long unused() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static long megabytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
