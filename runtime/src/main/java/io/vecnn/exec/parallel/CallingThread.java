package io.vecnn.exec.parallel;

import java.util.function.IntConsumer;

/** {@link Team#CALLING_THREAD}: no hand-off, no synchronisation, indices in order. */
final class CallingThread implements Team {
    @Override
    public int size() {
        return 1;
    }

    @Override
    public void parallelFor(int count, IntConsumer body) {
        for (int i = 0; i < count; i++) {
            body.accept(i);
        }
    }

    @Override
    public String toString() {
        return "calling thread";
    }
}
