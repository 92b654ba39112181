package io.vecnn.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;

/**
 * A pool of two workers with a gate: once closed, it holds runs handed to it (a plan run large enough to use
 * its workers) until opened. A way to have a run provably in flight, or a model's warm-up provably unfinished,
 * while a test looks at the model or the server.
 */
public final class GatedPool extends ForkJoinPool {
    private static final long WAIT_SECONDS = 60;

    /** Runs the gate still holds: 0 lets every run through, -1 holds every run until {@link #open()}. */
    private int toHold;

    private final CountDownLatch open = new CountDownLatch(1);
    private final CountDownLatch held = new CountDownLatch(1);

    public GatedPool() {
        super(2);
    }

    /** Holds the next run handed to the pool, and only that one. */
    public synchronized void holdNextRun() {
        toHold = 1;
    }

    /** Holds every run handed to the pool from now on. */
    public synchronized void holdEveryRun() {
        toHold = -1;
    }

    /** Lets the held runs, and every later one, through. */
    public void open() {
        open.countDown();
    }

    /** Waits until a run is held at the gate. */
    public void awaitHeld() throws InterruptedException {
        if (!held.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("no run reached the gate within " + WAIT_SECONDS + " s");
        }
    }

    @Override
    public ForkJoinTask<?> submit(Runnable task) {
        if (takeHold()) {
            held.countDown();
            try {
                if (!open.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("the gate was not opened within " + WAIT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return super.submit(task);
    }

    private synchronized boolean takeHold() {
        if (toHold == 0) {
            return false;
        }
        if (toHold > 0) {
            toHold--;
        }
        return true;
    }
}
