package io.vecnn;

import io.vecnn.exec.fast.Plan;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a model keeps for reuse stays within its {@link MemoryLimits}, and limits never change results. */
class MemoryLimitsTest {
    private static final Shape SHAPE = new Shape(3, 32, 32);

    private static ModelFile net() {
        return SmallNets.classifier(SHAPE, new int[] {16, 32, 32}, 10, 5, Map.of());
    }

    private static float[] images(int n, long seed) {
        return RandomTensors.gaussian(new Random(seed), n * (int) SHAPE.size(), 1);
    }

    @Test
    void weightBytesCountTheWeightsAtLeastOnceAndNotWildlyMore() {
        try (Model model = Model.of(net())) {
            long floats = model.weights().values().stream()
                    .mapToLong(w -> w.data().length)
                    .sum();
            long bytes = model.weightBytes();
            assertTrue(bytes >= 4 * floats, bytes + " bytes for " + floats + " weights");
            // Winograd's transformed filters take 4x a 3x3 filter; packing pads panels: well under 8x.
            assertTrue(bytes < 8 * 4 * floats + 64 * 1024, bytes + " bytes for " + floats + " weights");
        }
    }

    @Test
    void idleWorkspacesStayWithinTheLimitAndResultsDoNotChange() {
        try (Model unlimited = Model.of(net());
                Model limited = Model.of(net())) {
            long limit = limited.workspaceBytes(4) + limited.workspaceBytes(2);
            limited.setMemoryLimits(limited.memoryLimits().withIdleWorkspaceBytes(limit));
            Plan plan = limited.plan(SHAPE);
            for (int batch = 1; batch <= 12; batch++) {
                float[] x = images(batch, batch);
                assertArrayEquals(unlimited.run(x, batch), limited.run(x, batch), "batch " + batch);
                assertTrue(plan.idleWorkspaceBytes() <= limit, plan.idleWorkspaceBytes() + " > " + limit);
            }
            // Batch 12's workspace is larger than the limit and was dropped; smaller recent ones were kept.
            assertTrue(plan.idleWorkspaceBytes() > 0);
        }
    }

    @Test
    void noIdleWorkspaceAtAllStillRuns() {
        try (Model model = Model.of(net())) {
            float[] x = images(3, 9);
            float[] expected = model.run(x, 3);
            model.setMemoryLimits(new MemoryLimits(0, 0));
            assertArrayEquals(expected, model.run(x, 3));
            assertEquals(0, model.plan(SHAPE).idleWorkspaceBytes());
        }
    }

    @Test
    void plansForOtherSizesAreKeptWithinTheirBudgetLeastRecentlyUsedFirst() {
        try (Model unlimited = Model.of(net());
                Model limited = Model.of(net())) {
            // Room for three other sizes: each is charged its weights and as much for idle workspaces.
            long charge = 2 * limited.weightBytes();
            limited.setMemoryLimits(limited.memoryLimits().withPlanCacheBytes(3 * charge + charge / 2));
            long limit = limited.memoryLimits().planCacheBytes();
            Plan[] built = new Plan[6];
            for (int i = 0; i < built.length; i++) {
                int size = 20 + 4 * i;
                Tensor x = RandomTensors.gaussian(new Random(size), 2, size, size + 3, 3);
                assertArrayEquals(unlimited.run(x).data(), limited.run(x).data(), "input " + size + "x" + (size + 3));
                built[i] = limited.plan(new Shape(3, size, size + 3));
                assertTrue(limited.planCacheBytes() <= limit, limited.planCacheBytes() + " > " + limit);
            }
            assertTrue(limited.planCacheBytes() >= charge / 2, "the recent sizes are kept");
            assertSame(built[5], limited.plan(new Shape(3, 40, 43)), "the most recent size is kept");
            assertNotSame(built[0], limited.plan(new Shape(3, 20, 23)), "the oldest size was dropped, and rebuilt");
        }
    }

    @Test
    void negativeLimitsAreRefusedNamingBoth() {
        VecnnException e = assertThrows(VecnnException.class, () -> new MemoryLimits(-1, 5));
        assertTrue(e.getMessage().contains("plan cache -1 bytes and idle workspaces 5 bytes"), e.getMessage());
    }
}
