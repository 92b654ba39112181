package io.vecnn.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The threads of one plan run, kept awake from its first layer to its last. A network at batch 1 is a chain
 * of short parallel loops, tens to hundreds of microseconds each; handing each to ForkJoin wakes a parked
 * worker every time, and the wake-up costs as much as a small layer. A team's helpers instead spin between
 * loops, as OpenMP's and ONNX Runtime's threads do, and the thread running the plan (the lead) publishes
 * each loop to them and works on it too. Indices are claimed one at a time, so the result depends only on
 * the loop body (which writes disjoint outputs per index), never on which thread ran which index.
 */
public final class WorkerTeam {
    private static final ThreadLocal<WorkerTeam> LEADING = new ThreadLocal<>();
    /**
     * Polls a helper spins before it yields the core between polls (a few hundred microseconds): longer than
     * the serial steps between two parallel loops, short enough that a pool with more threads than cores
     * does not starve the lead.
     */
    private static final int SPINS_BEFORE_YIELD = 1 << 12;

    private volatile Loop loop;
    private volatile boolean finished;

    private WorkerTeam() {
    }

    /**
     * Runs {@code work} on one of {@code pool}'s workers, with the pool's other workers as helpers for every
     * {@link ParallelFor} loop it starts; the helpers leave when it returns. Without a pool, or with a pool of
     * one thread, {@code work} simply runs on the calling thread.
     */
    public static void run(ForkJoinPool pool, Runnable work) {
        if (pool == null || pool.getParallelism() == 1) {
            work.run();
        } else {
            pool.submit(() -> lead(pool, work)).join();
        }
    }

    /**
     * Leads a team from the calling worker of {@code pool}. Helpers that find the pool busy with other work
     * join late or not at all: the lead never waits for them to start.
     */
    private static void lead(ForkJoinPool pool, Runnable work) {
        WorkerTeam team = new WorkerTeam();
        for (int i = 1; i < pool.getParallelism(); i++) {
            pool.execute(team::help);
        }
        LEADING.set(team);
        try {
            work.run();
        } finally {
            LEADING.remove();
            team.finished = true;
        }
    }

    /** The team the calling thread leads, or null. */
    static WorkerTeam leading() {
        return LEADING.get();
    }

    void parallelFor(int count, IntConsumer body) {
        Loop l = new Loop(body, count);
        loop = l;
        l.work();
        while (l.remaining.get() > 0) {
            Thread.onSpinWait();
        }
        if (l.failure != null) {
            if (l.failure instanceof RuntimeException e) {
                throw e;
            }
            if (l.failure instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(l.failure);
        }
    }

    private void help() {
        Loop done = null;
        int idle = 0;
        while (!finished) {
            Loop l = loop;
            if (l != null && l != done) {
                l.work();
                done = l;
                idle = 0;
            } else if (++idle < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** One parallel loop: threads claim its indices from {@code next}; {@code remaining} counts unfinished ones. */
    private static final class Loop {
        private final IntConsumer body;
        private final int count;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger remaining;
        private volatile Throwable failure;

        Loop(IntConsumer body, int count) {
            this.body = body;
            this.count = count;
            this.remaining = new AtomicInteger(count);
        }

        void work() {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    remaining.decrementAndGet();
                }
            }
        }
    }
}
