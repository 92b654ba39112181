package io.vecnn.bench.run;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;

/**
 * A dedicated pool of {@code threads} workers that remembers its worker threads, so the allocation meter can
 * count them. Idle workers are kept for an hour: a worker retired between runs would take its allocation
 * count with it.
 */
final class RecordingPool implements AutoCloseable {
    /** Room for the compensating workers a ForkJoinPool starts when one blocks in a join, as its default constructor allows. */
    private static final int SPARE_THREADS = 256;

    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final ForkJoinPool pool;

    RecordingPool(int threads) {
        pool = new ForkJoinPool(
                threads,
                p -> {
                    ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                    t.setName("vecnn-bench-" + threads + "t-" + t.getPoolIndex());
                    t.setDaemon(true);
                    workers.add(t);
                    return t;
                },
                null,
                false,
                threads,
                threads + SPARE_THREADS,
                1,
                null,
                1,
                TimeUnit.HOURS);
    }

    ForkJoinPool pool() {
        return pool;
    }

    List<Thread> workers() {
        return workers;
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
