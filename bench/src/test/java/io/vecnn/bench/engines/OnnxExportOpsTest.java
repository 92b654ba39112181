package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.bench.run.OutputCheck;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Op;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exporter's cases the built-in networks do not reach, each on a small hand-built graph run by VecNN
 * and by ONNX Runtime: adaptive pools that pool along one axis and upsample along the other, ceil-mode
 * pools whose last window would start in the padding or run past it, activations ONNX spells in several ops, a flatten read by something other
 * than a Linear, 2-d values meeting channel affines, concats and multi-input adds, and a 4-d output.
 */
class OnnxExportOpsTest {
    private static ForkJoinPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ForkJoinPool(1);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdown();
    }

    @Test
    void adaptivePoolsThatPoolOneAxisAndUpsampleTheOther() {
        TestGraph n = new TestGraph(new Shape(3, 8, 4), 0.5);
        String c = n.conv("conv", "input", 3, 4, 3, 1, 1, 1, 1, true);
        String mixed = n.add("mixed", new Op.AdaptiveAvgPool2d(2, 8), c);
        String pooled = n.add("pooled", new Op.AdaptiveAvgPool2d(4, 4), c);
        String up = n.add("up", new Op.AdaptiveAvgPool2d(16, 12), n.add("tiny", new Op.AdaptiveAvgPool2d(1, 1), c));
        String f1 = n.add("f1", new Op.Flatten(), mixed);
        String f2 = n.add("f2", new Op.Flatten(), pooled);
        String f3 = n.add("f3", new Op.Flatten(), up);
        String cat = n.add(
                "cat",
                new Op.Concat(),
                n.linear("fc1", f1, 64, 6, true),
                n.linear("fc2", f2, 64, 6, false),
                n.linear("fc3", f3, 4 * 16 * 12, 6, true));
        assertAgree(n, n.add("softmax", new Op.Softmax(), cat));
    }

    @Test
    void ceilModePoolsWhoseLastWindowWouldStartInThePadding() {
        TestGraph n = new TestGraph(new Shape(2, 5, 5), 0.5);
        String avgIn = n.add("avg_in", new Op.AvgPool2d(3, 3, 3, 3, 1, 1, true, true), "input");
        String avgEx = n.add("avg_ex", new Op.AvgPool2d(3, 3, 3, 3, 1, 1, true, false), "input");
        String max = n.add("max", new Op.MaxPool2d(3, 3, 3, 3, 1, 1, true), "input");
        String avgOdd = n.add("avg_odd", new Op.AvgPool2d(2, 2, 2, 2, 1, 1, true, true), "input");
        String cat = n.add("cat", new Op.Concat(), avgIn, avgEx, max);
        String sum = n.add(
                "sum",
                new Op.Add(),
                n.add("f1", new Op.Flatten(), cat),
                n.add("f2", new Op.Flatten(), n.conv("conv", avgOdd, 2, 24, 2, 2, 0, 1, 1, false)));
        assertAgree(n, sum);
    }

    @Test
    void ceilModeAveragesWhoseLastWindowRunsPastThePadding() {
        TestGraph n = new TestGraph(new Shape(2, 6, 6), 0.5);
        String avgIn = n.add("avg_in", new Op.AvgPool2d(3, 3, 2, 2, 1, 1, true, true), "input");
        String avgEx = n.add("avg_ex", new Op.AvgPool2d(3, 3, 2, 2, 1, 1, true, false), "input");
        String max = n.add("max", new Op.MaxPool2d(3, 3, 2, 2, 1, 1, true), "input");
        assertAgree(n, n.add("cat", new Op.Concat(), avgIn, avgEx, max));
    }

    @Test
    void flattenReadByOtherOpsKeepsVecnnsOrder() {
        TestGraph n = new TestGraph(new Shape(4, 3, 5), 0.5);
        String c = n.conv("conv", "input", 4, 6, 3, 1, 2, 2, 2, false);
        String flat = n.add("flatten", new Op.Flatten(), c);
        String relu = n.add("relu", new Op.Relu(), flat);
        String scaled = n.affine("affine", relu, 90);
        String fc = n.linear("fc", scaled, 90, 90, true);
        String sum = n.add("sum", new Op.Add(), fc, scaled, relu);
        String deep = n.conv("deep", sum, 90, 8, 1, 1, 0, 1, 1, true);
        assertAgree(n, n.add("log_softmax", new Op.LogSoftmax(), deep));
    }

    @Test
    void aMapOutputStaysFourDimensional() {
        TestGraph n = new TestGraph(new Shape(3, 6, 7), 0.5);
        String c = n.conv("conv", "input", 3, 6, 3, 2, 1, 1, 3, true);
        String a = n.affine("affine", n.add("relu", new Op.Relu(), c), 6);
        assertAgree(n, n.add("softmax", new Op.Softmax(), a));
    }

    @Test
    void everyActivationSpelledOutInOpset13AndAGate() {
        TestGraph n = new TestGraph(new Shape(4, 5, 6), 0.5);
        String c = n.conv("conv", "input", 4, 5, 3, 1, 1, 1, 1, true);
        String[] branches = Arrays.stream(ActivationFunction.values())
                .map(f -> n.add(f.kind(), new Op.Activation(f), c))
                .toArray(String[]::new);
        String gate = n.add(
                "gate",
                new Op.Activation(ActivationFunction.SIGMOID),
                n.conv("fc", n.add("squeeze", new Op.AdaptiveAvgPool2d(1, 1), c), 5, 5, 1, 1, 0, 1, 1, true));
        String scaled = n.add("se", new Op.ScaleChannels(), c, gate);
        String cat = n.add("cat", new Op.Concat(), concat(branches, scaled));
        String flat = n.add("flatten", new Op.Flatten(), n.add("pool", new Op.AdaptiveAvgPool2d(1, 1), cat));
        assertAgree(n, n.add("gelu_flat", new Op.Activation(ActivationFunction.GELU), flat));
    }

    /** ShuffleNet v2's chunk, concat and shuffle, and a ConvNeXt LayerNorm on a map and on a 1x1 one. */
    @Test
    void channelSliceShuffleAndLayerNorm() {
        TestGraph n = new TestGraph(new Shape(6, 5, 7), 0.5);
        String c = n.conv("conv", "input", 6, 10, 3, 1, 1, 1, 1, true);
        String lo = n.add("lo", new Op.ChannelSlice(0, 5), c);
        String hi = n.add("hi", new Op.ChannelSlice(5, 10), c);
        String branch = n.conv("branch", hi, 5, 5, 1, 1, 0, 1, 1, true);
        String shuffled = n.add("shuffle", new Op.ChannelShuffle(2), n.add("cat", new Op.Concat(), lo, branch));
        String ln = n.add("ln", new Op.LayerNorm(1e-6, n.weight("ln.w", 10), n.weight("ln.b", 10)), shuffled);
        String pool = n.add("pool", new Op.AdaptiveAvgPool2d(1, 1), ln);
        String head =
                n.add("head_ln", new Op.LayerNorm(1e-5, n.weight("head_ln.w", 10), n.weight("head_ln.b", 10)), pool);
        assertAgree(n, n.add("flatten", new Op.Flatten(), head));
    }

    private static String[] concat(String[] a, String b) {
        String[] all = Arrays.copyOf(a, a.length + 1);
        all[a.length] = b;
        return all;
    }

    /** VecNN and ONNX Runtime give the same outputs for {@code output} of {@code graph}, at batch 1 and 2. */
    private static void assertAgree(TestGraph graph, String output) {
        try (Model vecnn = graph.model(output, pool);
                OnnxRuntimeEngine ort = OnnxRuntimeEngine.open(vecnn, 1)) {
            for (int batch = 1; batch <= 2; batch++) {
                float[] x = RandomTensors.gaussian(new SplittableRandom(batch), (int) (batch * graph.input.size()));
                double relative = OutputCheck.maxRelativeDifference(ort.run(x, batch), vecnn.run(x, batch));
                assertTrue(relative <= 1e-4, "batch " + batch + ": relative difference " + relative);
            }
        }
    }
}
