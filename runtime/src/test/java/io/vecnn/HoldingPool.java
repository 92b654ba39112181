package io.vecnn;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pool of two workers that, once armed, holds the next run that hands itself to the pool at the hand-off
 * (a plan run large enough to use its workers) until released: a way to have a run provably in flight.
 */
final class HoldingPool extends ForkJoinPool {
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    HoldingPool() {
        super(2);
    }

    void arm() {
        armed.set(true);
    }

    /** Waits until the armed run is held inside the model. */
    void awaitHeld() throws InterruptedException {
        if (!entered.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no run reached the pool within 30 s");
        }
    }

    void release() {
        release.countDown();
    }

    @Override
    public ForkJoinTask<?> submit(Runnable task) {
        if (armed.getAndSet(false)) {
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the held run was not released within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return super.submit(task);
    }
}
