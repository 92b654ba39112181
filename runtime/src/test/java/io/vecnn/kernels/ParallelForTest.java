package io.vecnn.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ParallelForTest {

    @Test
    void runsEveryIndexExactlyOnceForAnyCountAndPoolSize() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                for (int count : new int[] {0, 1, 2, 7, 16, 17, 63, 200, 1001}) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(count, 1));
                    ParallelFor.run(pool, count, seen::incrementAndGet);
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, seen.get(i), "index " + i + " of " + count + " on " + threads + " threads");
                    }
                    AtomicIntegerArray nested = new AtomicIntegerArray(Math.max(count, 1));
                    pool.submit(() -> ParallelFor.run(pool, count, nested::incrementAndGet)).join();
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, nested.get(i), "from a worker: index " + i + " of " + count);
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
