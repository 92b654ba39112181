package io.vecnn.serve;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;

/**
 * A pool of two workers that, once shut, holds every run handed to it (a plan run large enough to use its
 * workers) until opened: a way to keep a model's warm-up provably unfinished while a test looks at the server.
 */
final class GatedPool extends ForkJoinPool {
    private volatile boolean shut;
    private final CountDownLatch open = new CountDownLatch(1);
    private final CountDownLatch held = new CountDownLatch(1);

    GatedPool() {
        super(2);
    }

    void shut() {
        shut = true;
    }

    void open() {
        open.countDown();
    }

    /** Waits until a run is held at the gate. */
    void awaitHeld() throws InterruptedException {
        if (!held.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("no run reached the gate within 60 s");
        }
    }

    @Override
    public ForkJoinTask<?> submit(Runnable task) {
        if (shut) {
            held.countDown();
            try {
                if (!open.await(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("the gate was not opened within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return super.submit(task);
    }
}
