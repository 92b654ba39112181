package io.vecnn;

import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Model#warmUp}: what it runs and reports on a real (tiny) network, and what it refuses. */
class ModelWarmupTest {

    @Test
    void theTinyLenet5SettlesAtEveryBatchSizeWithinItsBudget() {
        try (Model model = Model.of(SmallNets.tiny(1), new java.util.concurrent.ForkJoinPool(2))) {
            Duration budget = Duration.ofSeconds(60);
            WarmupReport report = model.warmUp(budget, 4, 1, 4);

            assertEquals(List.of(1, 4), report.batchSizes(), "distinct sizes, smallest first");
            assertTrue(report.settled(), report.summary());
            for (WarmupReport.Batch b : report.batches()) {
                assertTrue(b.settled(), b.toString());
                assertTrue(b.runs() >= 10, b.toString());
                assertTrue(b.median().toNanos() > 0, b.toString());
                assertTrue(b.elapsed().toNanos() > 0, b.toString());
            }
            assertTrue(report.elapsed().compareTo(budget) < 0, report.summary());
            // The model runs as before, and gives what it gave before the warm-up.
            float[] x = RandomTensors.gaussian(new java.util.Random(3), 3 * 32 * 32, 1);
            try (Model cold = Model.of(SmallNets.tiny(1))) {
                assertEquals(List.of(cold.run(x, 1).length), List.of(model.run(x, 1).length));
                org.junit.jupiter.api.Assertions.assertArrayEquals(cold.run(x, 1), model.run(x, 1));
            }
        }
    }

    @Test
    void noBatchSizesMeansBatchOneAndAZeroBudgetRunsNothing() {
        try (Model model = Model.of(SmallNets.tiny(1))) {
            WarmupReport report = model.warmUp(Duration.ZERO);
            assertEquals(List.of(1), report.batchSizes());
            assertEquals(0, report.runs());
            assertFalse(report.settled());
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyRun() {
        try (Model model = Model.of(SmallNets.tiny(1))) {
            assertTrue(assertThrows(VecnnException.class, () -> model.warmUp(Duration.ofSeconds(-1), 1))
                    .getMessage()
                    .contains("warm-up budget must be zero or positive"));
            assertThrows(VecnnException.class, () -> model.warmUp(null, 1));
            InputShapeException e =
                    assertThrows(InputShapeException.class, () -> model.warmUp(Duration.ofSeconds(1), 1, 0));
            assertTrue(e.getMessage().contains("batch size must be positive, got 0"), e.getMessage());
            e = assertThrows(InputShapeException.class, () -> model.warmUp(Duration.ofSeconds(1), 1 << 30));
            assertTrue(e.getMessage().contains("more"), e.getMessage());
        }
    }

    @Test
    void aClosedModelRefusesToWarmUp() {
        Model model = Model.of(SmallNets.tiny(1));
        model.close();
        assertThrows(ModelClosedException.class, () -> model.warmUp(Duration.ofSeconds(1), 1));
    }
}
