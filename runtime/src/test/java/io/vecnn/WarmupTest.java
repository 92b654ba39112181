package io.vecnn;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The settling rule and the budget of the warm-up loop, on runners whose run times are made up: one that
 * keeps getting faster never settles, one at a constant pace does, one stuck in a run is cut off.
 */
class WarmupTest {
    private static final int IN = 3;
    private static final int OUT = 2;

    /** Sleeps {@code nanos}; checks what the loop hands a run. */
    private static void sleep(long nanos, float[] in, int batch, float[] out) {
        assertEquals(batch * IN, in.length);
        assertEquals(batch * OUT, out.length);
        LockSupport.parkNanos(nanos);
    }

    @Test
    void runsThatKeepGettingFasterUseTheWholeBudgetAndDoNotSettle() {
        long start = System.nanoTime();
        // 20 ms falling by a tenth every 100 ms: every window is more than 5 % faster than the one before.
        Warmup.Runner faster = (in, batch, out, deadline) ->
                sleep((long) (20e6 * Math.exp(-(System.nanoTime() - start) / 1e9)), in, batch, out);
        Duration budget = Duration.ofMillis(800);
        WarmupReport report = Warmup.run(faster, IN, OUT, new int[] {1, 2}, budget);

        assertFalse(report.settled());
        assertEquals(List.of(1, 2), report.batchSizes());
        for (WarmupReport.Batch b : report.batches()) {
            assertFalse(b.settled(), b.toString());
            assertTrue(b.runs() > 0, b.toString());
            assertTrue(b.median().toNanos() > 0, b.toString());
        }
        assertEquals(report.batches().get(0).runs() + report.batches().get(1).runs(), report.runs());
        assertTrue(report.elapsed().compareTo(budget) >= 0, "it stopped at the budget, not before: " + report);
        assertEquals(budget, report.budget());
    }

    @Test
    void runsAtASteadyPaceSettle() {
        Warmup.Runner steady = (in, batch, out, deadline) -> sleep(2_000_000L * batch, in, batch, out);
        WarmupReport report = Warmup.run(steady, IN, OUT, new int[] {1, 4}, Duration.ofSeconds(60));

        assertTrue(report.settled(), report.summary());
        for (WarmupReport.Batch b : report.batches()) {
            assertTrue(b.runs() >= 10, "two windows of at least 5 runs each: " + b);
            assertTrue(b.median().toNanos() >= 2_000_000L * b.size(), b.toString());
        }
        assertTrue(report.summary().startsWith("batch 1 settled at "), report.summary());
    }

    @Test
    void aRunStillGoingAtTheBudgetIsAbandonedAndNotCounted() {
        AtomicInteger calls = new AtomicInteger();
        // As Model.run does with a deadline: the run gives up between layers once it has passed.
        Warmup.Runner stuck = (in, batch, out, deadline) -> {
            calls.incrementAndGet();
            while (System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(1_000_000);
            }
            throw new VecnnTimeoutException("deadline passed");
        };
        WarmupReport report = Warmup.run(stuck, IN, OUT, new int[] {1}, Duration.ofMillis(200));

        assertEquals(1, calls.get());
        assertEquals(0, report.runs());
        assertFalse(report.settled());
        assertEquals(Duration.ZERO, report.batches().get(0).median());
    }

    @Test
    void aZeroBudgetRunsNothing() {
        AtomicInteger calls = new AtomicInteger();
        WarmupReport report = Warmup.run(
                (in, batch, out, deadline) -> calls.incrementAndGet(), IN, OUT, new int[] {1, 8}, Duration.ZERO);

        assertEquals(0, calls.get());
        assertEquals(List.of(1, 8), report.batchSizes());
        assertEquals(0, report.runs());
        assertFalse(report.settled());
    }

    @Test
    void anInterruptEndsTheWarmUp() {
        AtomicInteger calls = new AtomicInteger();
        Warmup.Runner interrupting = (in, batch, out, deadline) -> {
            if (calls.incrementAndGet() == 3) {
                Thread.currentThread().interrupt();
            }
        };
        try {
            WarmupReport report = Warmup.run(interrupting, IN, OUT, new int[] {1, 2}, Duration.ofSeconds(60));
            assertEquals(3, report.runs());
            assertFalse(report.settled());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left for the caller to see");
        } finally {
            Thread.interrupted();
        }
    }
}
