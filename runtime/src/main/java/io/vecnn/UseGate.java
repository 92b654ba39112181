package io.vecnn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a model's calls in flight and refuses new ones once the model is closed. Closing does not cut a
 * running call short: whichever happens last, the close or the exit of the last call in flight, releases
 * the model's resources, exactly once.
 */
final class UseGate {
    /** Calls in flight times two, plus one once closed. */
    private final AtomicLong state = new AtomicLong();

    private final Runnable release;

    UseGate(Runnable release) {
        this.release = release;
    }

    void enter() {
        long s;
        do {
            s = state.get();
            if ((s & 1) != 0) {
                throw new ModelClosedException("model was closed; load it again");
            }
        } while (!state.compareAndSet(s, s + 2));
    }

    void exit() {
        if (state.addAndGet(-2) == 1) {
            release.run();
        }
    }

    /** Closes the gate; a second close does nothing. */
    void close() {
        long before = state.getAndUpdate(s -> s | 1);
        if (before == 0) {
            release.run();
        }
    }
}
