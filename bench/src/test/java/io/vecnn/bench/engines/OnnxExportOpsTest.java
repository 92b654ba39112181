package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** Builds a graph node by node, with seeded random weights in VecNN's layouts. */
    private static final class Net {
        private final Shape input;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, WeightTensor> weights = new LinkedHashMap<>();
        private final SplittableRandom random = new SplittableRandom(11);

        Net(Shape input) {
            this.input = input;
        }

        String add(String name, Op op, String... inputs) {
            nodes.add(new Node(name, op, List.of(inputs), name));
            return name;
        }

        String weight(String name, int... shape) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = (float) (random.nextGaussian() * 0.5);
            }
            weights.put(name, new WeightTensor(shape, data));
            return name;
        }

        String conv(
                String name,
                String x,
                int in,
                int out,
                int kernel,
                int stride,
                int pad,
                int dilation,
                int groups,
                boolean bias) {
            return add(
                    name,
                    new Op.Conv2d(
                            out,
                            kernel,
                            kernel,
                            stride,
                            stride,
                            pad,
                            pad,
                            dilation,
                            dilation,
                            groups,
                            weight(name + ".w", out, kernel, kernel, in / groups),
                            bias ? weight(name + ".b", out) : null),
                    x);
        }

        String linear(String name, String x, int in, int out, boolean bias) {
            return add(
                    name, new Op.Linear(out, weight(name + ".w", out, in), bias ? weight(name + ".b", out) : null), x);
        }

        String affine(String name, String x, int channels) {
            return add(name, new Op.ChannelAffine(weight(name + ".s", channels), weight(name + ".t", channels)), x);
        }

        Model model(String output) {
            return Model.of(
                    new ModelFile(new Graph("input", input, nodes, output), weights, List.of(), Map.of()), pool);
        }
    }

    @Test
    void adaptivePoolsThatPoolOneAxisAndUpsampleTheOther() {
        Net n = new Net(new Shape(3, 8, 4));
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
        assertAgree(n.model(n.add("softmax", new Op.Softmax(), cat)), n.input);
    }

    @Test
    void ceilModePoolsWhoseLastWindowWouldStartInThePadding() {
        Net n = new Net(new Shape(2, 5, 5));
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
        assertAgree(n.model(sum), n.input);
    }

    @Test
    void ceilModeAveragesWhoseLastWindowRunsPastThePadding() {
        Net n = new Net(new Shape(2, 6, 6));
        String avgIn = n.add("avg_in", new Op.AvgPool2d(3, 3, 2, 2, 1, 1, true, true), "input");
        String avgEx = n.add("avg_ex", new Op.AvgPool2d(3, 3, 2, 2, 1, 1, true, false), "input");
        String max = n.add("max", new Op.MaxPool2d(3, 3, 2, 2, 1, 1, true), "input");
        assertAgree(n.model(n.add("cat", new Op.Concat(), avgIn, avgEx, max)), n.input);
    }

    @Test
    void flattenReadByOtherOpsKeepsVecnnsOrder() {
        Net n = new Net(new Shape(4, 3, 5));
        String c = n.conv("conv", "input", 4, 6, 3, 1, 2, 2, 2, false);
        String flat = n.add("flatten", new Op.Flatten(), c);
        String relu = n.add("relu", new Op.Relu(), flat);
        String scaled = n.affine("affine", relu, 90);
        String fc = n.linear("fc", scaled, 90, 90, true);
        String sum = n.add("sum", new Op.Add(), fc, scaled, relu);
        String deep = n.conv("deep", sum, 90, 8, 1, 1, 0, 1, 1, true);
        assertAgree(n.model(n.add("log_softmax", new Op.LogSoftmax(), deep)), n.input);
    }

    @Test
    void aMapOutputStaysFourDimensional() {
        Net n = new Net(new Shape(3, 6, 7));
        String c = n.conv("conv", "input", 3, 6, 3, 2, 1, 1, 3, true);
        String a = n.affine("affine", n.add("relu", new Op.Relu(), c), 6);
        assertAgree(n.model(n.add("softmax", new Op.Softmax(), a)), n.input);
    }

    @Test
    void everyActivationSpelledOutInOpset13AndAGate() {
        Net n = new Net(new Shape(4, 5, 6));
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
        assertAgree(n.model(n.add("gelu_flat", new Op.Activation(ActivationFunction.GELU), flat)), n.input);
    }

    /** ShuffleNet v2's chunk, concat and shuffle, and a ConvNeXt LayerNorm on a map and on a 1x1 one. */
    @Test
    void channelSliceShuffleAndLayerNorm() {
        Net n = new Net(new Shape(6, 5, 7));
        String c = n.conv("conv", "input", 6, 10, 3, 1, 1, 1, 1, true);
        String lo = n.add("lo", new Op.ChannelSlice(0, 5), c);
        String hi = n.add("hi", new Op.ChannelSlice(5, 10), c);
        String branch = n.conv("branch", hi, 5, 5, 1, 1, 0, 1, 1, true);
        String shuffled = n.add("shuffle", new Op.ChannelShuffle(2), n.add("cat", new Op.Concat(), lo, branch));
        String ln = n.add("ln", new Op.LayerNorm(1e-6, n.weight("ln.w", 10), n.weight("ln.b", 10)), shuffled);
        String pool = n.add("pool", new Op.AdaptiveAvgPool2d(1, 1), ln);
        String head =
                n.add("head_ln", new Op.LayerNorm(1e-5, n.weight("head_ln.w", 10), n.weight("head_ln.b", 10)), pool);
        assertAgree(n.model(n.add("flatten", new Op.Flatten(), head)), n.input);
    }

    private static String[] concat(String[] a, String b) {
        String[] all = Arrays.copyOf(a, a.length + 1);
        all[a.length] = b;
        return all;
    }

    private static void assertAgree(Model vecnn, Shape input) {
        try (OnnxRuntimeEngine ort = OnnxRuntimeEngine.open(vecnn, 1)) {
            for (int batch = 1; batch <= 2; batch++) {
                SplittableRandom random = new SplittableRandom(batch);
                float[] x = new float[(int) (batch * input.size())];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                float[] expected = vecnn.run(x, batch);
                float[] actual = ort.run(x, batch);
                assertTrue(
                        expected.length == actual.length,
                        expected.length + " values from VecNN, " + actual.length + " from ORT");
                double worst = 0;
                double scale = 0;
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
                    scale = Math.max(scale, Math.abs(expected[i]));
                }
                assertTrue(
                        scale > 0 && worst / scale <= 1e-4,
                        "batch " + batch + ": relative difference " + worst / scale);
            }
        }
    }
}
