package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server that would not fit its heap refuses to start, saying what it needs and what to change. */
class MemoryBudgetTest {
    private static final long MIB = 1 << 20;

    @Test
    void aHeapTooSmallForTheBatchSizesIsRefusedWithWhatToChange() {
        try (Model model = Model.of(SmallNets.classifier(new Shape(3, 64, 64), new int[] {32, 64}, 10, 1, Map.of()))) {
            ServerConfig config = ServerConfig.defaults()
                    .withBatching(new BatchingConfig(64, Duration.ZERO, 16, 2))
                    .withImages(new ImageLimits(8 * MIB, 1_000_000, 100));
            long workspaces = 0;
            for (int b : DynamicBatcher.batchSizes(64)) {
                workspaces += model.workspaceBytes(b);
            }
            long needed = model.weightBytes() + 2 * workspaces + 8 * MIB;
            ServedModel served =
                    new ServedModel("net", model, null, BatchingConfig.NONE, Duration.ZERO, new ServerMetrics());
            try {
                long tooSmall = (long) (needed / MemoryBudget.HEAP_SHARE) - MIB;
                VecnnException e =
                        assertThrows(VecnnException.class, () -> MemoryBudget.check(List.of(served), config, tooSmall));
                assertTrue(e.getMessage().contains("model 'net': weights"), e.getMessage());
                assertTrue(
                        e.getMessage().contains("batch sizes [1, 2, 4, 8, 16, 32, 64] × 2 instance(s)"),
                        e.getMessage());
                assertTrue(
                        e.getMessage().contains("lower --max-batch, --instances or --decode-budget-mb"),
                        e.getMessage());
                assertDoesNotThrow(() ->
                        MemoryBudget.check(List.of(served), config, (long) (needed / MemoryBudget.HEAP_SHARE) + MIB));
                assertTrue(
                        model.memoryLimits().idleWorkspaceBytes() >= 2 * workspaces,
                        "the model keeps the workspaces its batcher runs");
            } finally {
                served.close();
            }
        }
    }
}
