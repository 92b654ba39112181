package io.vecnn.exec.parallel;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ForkJoinTeamTest {

    @Test
    void runsEveryIndexExactlyOnceForAnyCountAndPoolSize() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                for (int count : new int[] {0, 1, 2, 7, 16, 17, 63, 200, 1001}) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(count, 1));
                    Team.of(pool).parallelFor(count, seen::incrementAndGet);
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, seen.get(i), "index " + i + " of " + count + " on " + threads + " threads");
                    }
                    AtomicIntegerArray nested = new AtomicIntegerArray(Math.max(count, 1));
                    pool.submit(() -> Team.of(pool).parallelFor(count, nested::incrementAndGet))
                            .join();
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, nested.get(i), "from a worker: index " + i + " of " + count);
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void aTeamReportsTheThreadsItRunsOn() {
        ForkJoinPool three = new ForkJoinPool(3);
        try {
            assertEquals(3, Team.of(three).size());
            assertSame(Team.CALLING_THREAD, Team.of(null));
            assertSame(Team.CALLING_THREAD, Team.of(new ForkJoinPool(1)));
        } finally {
            three.shutdown();
        }
    }
}
