package io.vecnn.exec.parallel;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;

/**
 * The threads a kernel runs its parallel loops on. Every kernel takes its team as a parameter, so its signature
 * says what it runs on: a plan run passes the {@link WorkerTeam} it leads, a kernel timed or called on its own
 * gets {@link #of(ForkJoinPool)}, and {@link #CALLING_THREAD} runs everything where it is called.
 *
 * <p>{@code body(i)} must write disjoint outputs per index: then the result does not depend on which thread
 * ran which index, and a team of any size computes the same bits.
 */
public interface Team {
    /** Runs every loop on the calling thread, in index order. */
    Team CALLING_THREAD = new CallingThread();

    /** How many threads work on a loop; kernels size their task splits by it. */
    int size();

    /** Runs {@code body(i)} for every i in [0, count) and returns when all have run. */
    void parallelFor(int count, IntConsumer body);

    /**
     * A team of {@code pool}'s workers for loops started outside a plan run: each loop is handed to the pool
     * by recursive halving. With no pool, or a pool of one thread, the calling thread.
     */
    static Team of(ForkJoinPool pool) {
        return pool == null || pool.getParallelism() == 1 ? CALLING_THREAD : new ForkJoinTeam(pool);
    }
}
