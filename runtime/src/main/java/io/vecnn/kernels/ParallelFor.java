package io.vecnn.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Runs {@code body(i)} for i in [0, count) on a dedicated pool by recursive halving, so idle workers steal
 * the larger halves. The body must write disjoint outputs per index: then the result does not depend on
 * which thread ran what.
 */
public final class ParallelFor {
    private ParallelFor() {
    }

    public static void run(ForkJoinPool pool, int count, IntConsumer body) {
        if (count <= 0) {
            return;
        }
        if (count == 1 || pool == null || pool.getParallelism() == 1) {
            for (int i = 0; i < count; i++) {
                body.accept(i);
            }
            return;
        }
        Range all = new Range(0, count, body);
        if (Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool) {
            // Already on one of the pool's workers (the plan runs its steps there): fork from here, no hand-off.
            all.invoke();
        } else {
            pool.invoke(all);
        }
    }

    private static final class Range extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final int from;
        private final int to;
        private final transient IntConsumer body;

        Range(int from, int to, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                body.accept(from);
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, body), new Range(mid, to, body));
        }
    }
}
