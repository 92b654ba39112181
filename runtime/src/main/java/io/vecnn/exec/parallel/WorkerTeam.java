package io.vecnn.exec.parallel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The threads of one plan run, kept awake from its first layer to its last. A network at batch 1 is a chain
 * of short parallel loops, tens to hundreds of microseconds each; handing each to ForkJoin wakes a parked
 * worker every time, and the wake-up costs as much as a small layer. A team's helpers instead spin between
 * loops, as OpenMP's and ONNX Runtime's threads do, and the thread running the plan (the lead) publishes
 * each loop to them and works on it too.
 *
 * <p>Each member owns a contiguous share of every loop's indices: member 0 the first, member 1 the next, and
 * so on. Kernels number their tasks row block first, so a member computes the same pixels in every layer, and
 * a 1x1 convolution or a residual reads the rows that member wrote a layer before from its own L2 instead of
 * the other core's (ResNet-50's 14x14 layers: 0.8 MB per map, half of it per core). A member whose share is
 * done takes indices from the end of another's, so a late or slow member costs no idle core. The result
 * depends only on the loop body (which writes disjoint outputs per index), never on which thread ran which index.
 */
public final class WorkerTeam implements Team {
    /**
     * Polls a helper spins before it yields the core between polls (a few hundred microseconds): longer than
     * the serial steps between two parallel loops, short enough that a pool with more threads than cores
     * does not starve the lead.
     */
    private static final int SPINS_BEFORE_YIELD = 1 << 12;

    private final int members;
    private final AtomicInteger joined = new AtomicInteger();
    private volatile Loop loop;
    private volatile boolean finished;

    private WorkerTeam(int members) {
        this.members = members;
    }

    /**
     * Runs {@code work} on one of {@code pool}'s workers, handing it the team it leads: the pool's other
     * workers help with every loop {@code work} starts on that team, and leave when it returns. Without a
     * pool, or with a pool of one thread, {@code work} runs on the calling thread with
     * {@link Team#CALLING_THREAD}.
     */
    public static void run(ForkJoinPool pool, Consumer<Team> work) {
        if (pool == null || pool.getParallelism() == 1) {
            work.accept(CALLING_THREAD);
        } else {
            pool.submit(() -> lead(pool, work)).join();
        }
    }

    /**
     * Leads a team from the calling worker of {@code pool}. Helpers that find the pool busy with other work
     * join late or not at all: the lead never waits for them to start.
     */
    private static void lead(ForkJoinPool pool, Consumer<Team> work) {
        WorkerTeam team = new WorkerTeam(pool.getParallelism());
        for (int i = 1; i < pool.getParallelism(); i++) {
            pool.execute(team::help);
        }
        try {
            work.accept(team);
        } finally {
            team.finished = true;
        }
    }

    @Override
    public int size() {
        return members;
    }

    /** Only the lead, the thread {@link #run} handed this team to, may start loops. */
    @Override
    public void parallelFor(int count, IntConsumer body) {
        Loop l = new Loop(body, count, members);
        loop = l;
        l.work(0);
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
        int member = joined.incrementAndGet();
        if (member >= members) {
            return;
        }
        Loop done = null;
        int idle = 0;
        while (!finished) {
            Loop l = loop;
            if (l != null && l != done) {
                l.work(member);
                done = l;
                idle = 0;
            } else if (++idle < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /**
     * One parallel loop: member m's share of the indices is the range packed into {@code shares[m]} (next index
     * in the high half, end in the low half); {@code remaining} counts unfinished indices.
     */
    static final class Loop {
        private final IntConsumer body;
        private final AtomicLongArray shares;
        private final AtomicInteger remaining;
        private volatile Throwable failure;

        Loop(IntConsumer body, int count, int members) {
            this.body = body;
            this.shares = new AtomicLongArray(members);
            for (int m = 0; m < members; m++) {
                shares.set(m, range((int) ((long) count * m / members), (int) ((long) count * (m + 1) / members)));
            }
            this.remaining = new AtomicInteger(count);
        }

        /** Runs member's own share from its front, then the others' from their ends. */
        void work(int member) {
            for (int i = take(member, true); i >= 0; i = take(member, true)) {
                run(i);
            }
            for (int m = 1; m < shares.length(); m++) {
                int victim = (member + m) % shares.length();
                for (int i = take(victim, false); i >= 0; i = take(victim, false)) {
                    run(i);
                }
            }
        }

        private void run(int i) {
            try {
                body.accept(i);
            } catch (Throwable t) {
                failure = t;
            } finally {
                remaining.decrementAndGet();
            }
        }

        /** Claims the first or the last unclaimed index of member m's share, or -1 when none is left. */
        private int take(int m, boolean front) {
            while (true) {
                long s = shares.get(m);
                int next = (int) (s >>> 32);
                int end = (int) s;
                if (next >= end) {
                    return -1;
                }
                if (shares.compareAndSet(m, s, front ? range(next + 1, end) : range(next, end - 1))) {
                    return front ? next : end - 1;
                }
            }
        }

        private static long range(int next, int end) {
            return (long) next << 32 | (end & 0xffffffffL);
        }
    }
}
