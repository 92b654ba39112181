package io.vecnn.exec.parallel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * {@link Team#of(java.util.concurrent.ForkJoinPool)}: each loop goes to a dedicated pool by recursive halving,
 * so idle workers steal the larger halves. For loops started outside a plan run (a plan run leads a
 * {@link WorkerTeam}, which keeps its threads awake between loops instead of handing each loop over).
 */
final class ForkJoinTeam implements Team {
    /**
     * Halving stops at ranges of about count / (workers × this): enough pieces for an idle worker to steal
     * from a slow one, but not one task object per index — a layer of 200 row blocks would otherwise create
     * 400 tasks per run, which is both garbage and fork/join overhead on every layer.
     */
    private static final int PIECES_PER_WORKER = 8;

    private final ForkJoinPool pool;

    ForkJoinTeam(ForkJoinPool pool) {
        this.pool = pool;
    }

    @Override
    public int size() {
        return pool.getParallelism();
    }

    @Override
    public void parallelFor(int count, IntConsumer body) {
        if (count <= 1) {
            CALLING_THREAD.parallelFor(count, body);
            return;
        }
        int grain = Math.max(1, count / (pool.getParallelism() * PIECES_PER_WORKER));
        Range all = new Range(0, count, grain, body);
        if (Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool) {
            // Already on one of the pool's workers: fork from here, no hand-off.
            all.invoke();
        } else {
            pool.invoke(all);
        }
    }

    private static final class Range extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final int from;
        private final int to;
        private final int grain;
        private final transient IntConsumer body;

        Range(int from, int to, int grain, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.grain = grain;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from <= grain) {
                for (int i = from; i < to; i++) {
                    body.accept(i);
                }
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, grain, body), new Range(mid, to, grain, body));
        }
    }
}
