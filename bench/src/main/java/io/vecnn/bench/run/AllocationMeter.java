package io.vecnn.bench.run;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Java heap bytes allocated by a set of threads, from HotSpot's per-thread allocation counters
 * ({@code com.sun.management.ThreadMXBean}). The bench counts the calling thread and the workers of the pool
 * the engine runs on, so the progress bar's own thread does not pollute the figure. Native engines'
 * allocations outside the Java heap are not seen.
 */
final class AllocationMeter {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationMeter() {}

    static boolean supported() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }

    static long allocatedBytes(List<Thread> threads) {
        long[] ids = threads.stream().mapToLong(Thread::getId).toArray();
        long total = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(ids)) {
            if (bytes > 0) {
                total += bytes;
            }
        }
        return total;
    }
}
