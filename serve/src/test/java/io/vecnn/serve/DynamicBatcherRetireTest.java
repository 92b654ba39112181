package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What makes a reload lose nothing, checked on the batcher itself where a race would be too rare to see over
 * HTTP: requests queued before retirement run on the old model; a request submitted to the retired batcher (a
 * handler that picked it just before the swap) runs on its successor; a closed batcher without one refuses.
 */
@Timeout(60)
class DynamicBatcherRetireTest {
    private static final Shape INPUT = new Shape(3, 96, 96);

    @Test
    void queuedRequestsFinishOnTheOldModelAndLateOnesGoToTheSuccessor() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model oldModel = Model.of(SmallNets.classifier(INPUT, new int[] {32, 32, 32}, 10, 1, Map.of()), pool);
                Model newModel = Model.of(SmallNets.classifier(INPUT, new int[] {32, 32, 32}, 10, 2, Map.of()), pool)) {
            ServerMetrics metrics = new ServerMetrics();
            DynamicBatcher old = new DynamicBatcher("net", oldModel, BatchingConfig.NONE, metrics);
            DynamicBatcher successor = new DynamicBatcher("net", newModel, BatchingConfig.NONE, metrics);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<float[]> inputs = new ArrayList<>();
            List<CompletableFuture<float[]>> queued = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                float[] x = RandomTensors.gaussian(new Random(i), (int) INPUT.size(), 1);
                inputs.add(x);
                queued.add(old.submit(x, 1, deadline));
            }
            old.retire(successor);
            for (int i = 0; i < queued.size(); i++) {
                assertArrayEquals(
                        oldModel.run(inputs.get(i), 1),
                        queued.get(i).getNow(null),
                        1e-5f,
                        "request " + i + " queued before the retirement, answered by the time it returned");
            }
            float[] late = inputs.get(0);
            assertArrayEquals(
                    newModel.run(late, 1), old.submit(late, 1, deadline).get(30, TimeUnit.SECONDS), 1e-5f);
            successor.close();
            HttpError refused = assertThrows(HttpError.class, () -> successor.submit(late, 1, deadline));
            assertEquals(503, refused.status());
        } finally {
            pool.shutdown();
        }
    }
}
