package io.vecnn.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * Runs {@code body(i)} for i in [0, count) in parallel: on the calling thread's {@link WorkerTeam} during a
 * plan run, otherwise on a dedicated pool by recursive halving, so idle workers steal the larger halves.
 * The body must write disjoint outputs per index: then the result does not depend on which thread ran what.
 */
public final class ParallelFor {
    /**
     * Halving stops at ranges of about count / (workers × this): enough pieces for an idle worker to steal
     * from a slow one, but not one task object per index — a layer of 200 row blocks would otherwise create
     * 400 tasks per run, which is both garbage and fork/join overhead on every layer.
     */
    private static final int PIECES_PER_WORKER = 8;

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
        WorkerTeam team = WorkerTeam.leading();
        if (team != null) {
            team.parallelFor(count, body);
            return;
        }
        int grain = Math.max(1, count / (pool.getParallelism() * PIECES_PER_WORKER));
        Range all = new Range(0, count, grain, body);
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
