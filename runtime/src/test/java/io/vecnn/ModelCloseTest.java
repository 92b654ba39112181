package io.vecnn;

import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.GatedPool;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A closed model refuses every further run, lets the runs already inside finish, and closes once. */
class ModelCloseTest {
    private static final Shape SHAPE = new Shape(3, 64, 64);
    private static final int BATCH = 4;

    /** Large enough (about 64 M multiply-adds at batch 4) that a run hands itself to the pool's workers. */
    private static ModelFile net() {
        return SmallNets.classifier(SHAPE, new int[] {16, 32, 32}, 10, 2, Map.of());
    }

    private static void assertClosed(Executable call) {
        ModelClosedException e = assertThrows(ModelClosedException.class, call);
        assertEquals("model was closed; load it again", e.getMessage());
    }

    @Test
    void everyUseAfterCloseThrowsAndCloseIsIdempotent() {
        Model model = Model.of(SmallNets.tiny(1));
        Workspace workspace = model.newWorkspace();
        model.close();
        model.close();
        float[] x = new float[3 * 32 * 32];
        assertClosed(() -> model.run(x, 1));
        assertClosed(() -> model.run(x, 1, new float[10]));
        assertClosed(() -> model.run(workspace, x, 1, new float[10]));
        assertClosed(() -> model.run(Tensor.zeros(1, 32, 32, 3)));
        assertClosed(() -> model.runReference(Tensor.zeros(1, 32, 32, 3)));
        assertClosed(() -> model.classify(x, 1, 1));
        assertClosed(() -> model.plan(model.inputShape()));
        assertClosed(model::outputShape);
        assertClosed(model::weights);
        assertClosed(model::newWorkspace);
        assertClosed(() -> model.withKernelSelection(KernelSelection.HEURISTIC));
        assertEquals(new Shape(3, 32, 32), model.inputShape(), "the description stays readable");
        assertEquals("lenet5", model.provenance().get("architecture"));
    }

    @Test
    void aRunInFlightFinishesAfterCloseAndLaterOnesThrow() throws Exception {
        GatedPool pool = new GatedPool();
        try {
            Model model = Model.of(net(), pool);
            float[] x = RandomTensors.gaussian(new Random(1), BATCH * (int) SHAPE.size(), 1);
            float[] expected = model.run(x, BATCH);
            pool.holdNextRun();
            CompletableFuture<float[]> inFlight = CompletableFuture.supplyAsync(() -> model.run(x, BATCH));
            pool.awaitHeld();
            model.close();
            assertClosed(() -> model.run(x, BATCH));
            assertFalse(inFlight.isDone());
            pool.open();
            assertArrayEquals(expected, inFlight.get(30, TimeUnit.SECONDS));
            assertClosed(() -> model.run(x, BATCH));
        } finally {
            pool.open();
            pool.shutdown();
        }
    }

    @Test
    void closingAModelClosesTheModelsDerivedFromIt() {
        Model model = Model.of(SmallNets.tiny(1));
        Model heuristic = model.withKernelSelection(KernelSelection.HEURISTIC);
        float[] x = new float[3 * 32 * 32];
        heuristic.close();
        assertEquals(10, model.run(x, 1).length, "closing the derived model leaves its parent open");
        Model again = model.withKernelSelection(KernelSelection.HEURISTIC);
        model.close();
        assertClosed(() -> again.run(x, 1));
    }

    @Test
    void theGateReleasesOnceWhenTheLastCallLeaves() {
        int[] releases = new int[1];
        UseGate gate = new UseGate(() -> releases[0]++);
        gate.enter();
        gate.enter();
        gate.close();
        assertEquals(0, releases[0], "two calls still inside");
        gate.exit();
        assertEquals(0, releases[0]);
        gate.exit();
        assertEquals(1, releases[0], "the last call out releases");
        gate.close();
        assertEquals(1, releases[0], "a second close releases nothing");
        assertThrows(ModelClosedException.class, gate::enter);
        UseGate idle = new UseGate(() -> releases[0]++);
        idle.close();
        assertEquals(2, releases[0], "a close with nothing inside releases at once");
    }
}
