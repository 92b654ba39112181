package io.vecnn.exec.parallel;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerTeamTest {

    @Test
    void aMemberTakesItsOwnShareFrontToBackThenTheOthersFromTheirEnds() {
        List<Integer> order = new ArrayList<>();
        // 10 indices over 3 members: shares [0,3), [3,6), [6,10).
        new WorkerTeam.Loop(order::add, 10, 3).work(1);
        assertEquals(List.of(3, 4, 5, 9, 8, 7, 6, 2, 1, 0), order);

        List<Integer> fewer = new ArrayList<>();
        // Fewer indices than members: some shares are empty.
        new WorkerTeam.Loop(fewer::add, 2, 4).work(3);
        assertEquals(List.of(1, 0), fewer);
    }

    @Test
    void everyLoopOfATeamRunsEachIndexExactlyOnce() {
        for (int threads : new int[] {2, 3, 8}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                int[] counts = {0, 1, 2, 3, 7, 16, 17, 63, 200, 1001};
                AtomicIntegerArray[] seen = new AtomicIntegerArray[counts.length * 20];
                WorkerTeam.run(pool, team -> {
                    assertEquals(threads, team.size());
                    for (int loop = 0; loop < seen.length; loop++) {
                        int count = counts[loop % counts.length];
                        AtomicIntegerArray s = new AtomicIntegerArray(Math.max(count, 1));
                        seen[loop] = s;
                        team.parallelFor(count, s::incrementAndGet);
                    }
                });
                for (int loop = 0; loop < seen.length; loop++) {
                    int count = counts[loop % counts.length];
                    for (int i = 0; i < count; i++) {
                        assertEquals(
                                1,
                                seen[loop].get(i),
                                "loop " + loop + ", index " + i + " of " + count + " on " + threads + " threads");
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void aFailingIndexFailsItsLoopAndTheTeamStillFinishes() {
        ForkJoinPool pool = new ForkJoinPool(3);
        try {
            AtomicIntegerArray after = new AtomicIntegerArray(50);
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> WorkerTeam.run(pool, team -> {
                        team.parallelFor(100, i -> {
                            if (i == 57) {
                                throw new IllegalStateException("index 57");
                            }
                        });
                    }));
            // ForkJoin rethrows on the joining thread a copy of the same type that names the original.
            assertTrue(e.getMessage().contains("index 57"), e.getMessage());
            WorkerTeam.run(pool, team -> team.parallelFor(50, after::incrementAndGet));
            for (int i = 0; i < 50; i++) {
                assertEquals(1, after.get(i), "index " + i + " of the next team");
            }
        } finally {
            pool.shutdown();
        }
    }
}
