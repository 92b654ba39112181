package io.vecnn;

import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public API a server embeds: shared models, caller-owned outputs, deadlines, streams, top-k. */
class ModelApiTest {

    private static float[] images(int n, long seed, Shape s) {
        return RandomTensors.gaussian(new Random(seed), (int) (n * s.size()), 1);
    }

    @Test
    void sixtyFourThreadsOnOneModelGetExactlyTheSerialResults() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        Shape shape = new Shape(3, 64, 64);
        try (Model model = Model.of(SmallNets.classifier(shape, new int[] {16, 32, 32}, 10, 2, Map.of()), pool)) {
            int requests = 256;
            List<float[]> inputs = new ArrayList<>();
            List<float[]> serial = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                inputs.add(images(1, i, shape));
                serial.add(model.run(inputs.get(i), 1));
            }
            ExecutorService threads = Executors.newFixedThreadPool(64);
            List<Future<float[]>> concurrent = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                float[] x = inputs.get(i);
                concurrent.add(threads.submit(() -> {
                    float[] out = new float[10];
                    model.run(x, 1, out);
                    return out;
                }));
            }
            for (int i = 0; i < requests; i++) {
                assertArrayEquals(serial.get(i), concurrent.get(i).get(), "request " + i);
            }
            threads.shutdown();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void anOverdueRunIsAbandonedAndTheModelStaysUsable() {
        ForkJoinPool pool = new ForkJoinPool(2);
        Shape shape = new Shape(3, 128, 128);
        try (Model model =
                Model.of(SmallNets.classifier(shape, new int[] {64, 64, 64, 64, 64, 64}, 10, 3, Map.of()), pool)) {
            float[] x = images(4, 1, shape);
            float[] expected = model.run(x, 4);
            float[] out = new float[40];
            VecnnTimeoutException e =
                    assertThrows(VecnnTimeoutException.class, () -> model.run(x, 4, out, Duration.ofNanos(1)));
            assertTrue(e.getMessage().contains("deadline passed"), e.getMessage());
            assertThrows(VecnnTimeoutException.class, () -> model.run(x, 4, out, Duration.ZERO));
            model.run(x, 4, out, Duration.ofMinutes(1));
            assertArrayEquals(expected, out, "the workspace went back to the pool clean");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void loadsFromAStreamAsFromAPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.vnn");
        SmallNets.tiny(5).write(file);
        float[] x = images(2, 9, new Shape(3, 32, 32));
        try (Model fromPath = Model.load(file, 1);
                InputStream in = Files.newInputStream(file);
                Model fromStream = Model.load(in)) {
            assertEquals(1, fromPath.threads());
            assertArrayEquals(fromPath.run(x, 2), fromStream.run(x, 2));
        }
        assertThrows(VecnnException.class, () -> Model.load(InputStream.nullInputStream()));
    }

    @Test
    void classifyRanksBySoftmaxWithLabels() {
        ModelFile f = SmallNets.tiny(3);
        List<String> labels = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        try (Model model = Model.of(new ModelFile(f.graph(), f.weights(), labels, f.provenance()))) {
            float[] x = images(2, 4, model.inputShape());
            float[] logits = model.run(x, 2);
            List<List<Classification>> top = model.classify(x, 2, 3);
            for (int b = 0; b < 2; b++) {
                double sum = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < 10; k++) {
                    max = Math.max(max, logits[b * 10 + k]);
                }
                for (int k = 0; k < 10; k++) {
                    sum += Math.exp(logits[b * 10 + k] - max);
                }
                float previous = Float.POSITIVE_INFINITY;
                for (Classification c : top.get(b)) {
                    float logit = logits[b * 10 + c.index()];
                    assertTrue(logit <= previous);
                    previous = logit;
                    assertEquals(labels.get(c.index()), c.label());
                    assertEquals(Math.exp(logit - max) / sum, c.probability(), 1e-6);
                }
                for (int k = 0; k < 10; k++) {
                    int index = k;
                    if (top.get(b).stream().noneMatch(c -> c.index() == index)) {
                        assertTrue(logits[b * 10 + k] <= previous, "class " + k + " outranks the top 3");
                    }
                }
            }
            assertEquals("lenet5", model.provenance().get("architecture"));
            assertEquals(32, model.inputSpec().preprocessing().resize());
        }
    }

    @Test
    void badCallsNameTheProblem() {
        try (Model model = Model.of(SmallNets.tiny(1))) {
            float[] x = new float[3 * 32 * 32];
            assertTrue(assertThrows(VecnnException.class, () -> model.run(x, 1, new float[9]))
                    .getMessage()
                    .contains("output array has 9 values; a batch of 1 gives 10"));
            assertTrue(assertThrows(VecnnException.class, () -> model.run(new float[5], 1, new float[10]))
                    .getMessage()
                    .contains("input has 5 values"));
            assertTrue(assertThrows(VecnnException.class, () -> model.run(x, 0))
                    .getMessage()
                    .contains("batch size"));
            assertTrue(assertThrows(VecnnException.class, () -> model.run(x, 1, null))
                    .getMessage()
                    .contains("null"));
            assertTrue(assertThrows(VecnnException.class, () -> model.classify(x, 1, 0))
                    .getMessage()
                    .contains("k ≥ 1"));
        }
    }
}
