package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paths of the PyTorch peer no built-in architecture takes, against VecNN on small graphs: grouped
 * dilated convolution, average pooling that excludes padding (which DJL's binding cannot ask libtorch
 * for), an affine over flattened features, and a graph whose output is itself a flattened map.
 */
class PyTorchEngineOpsTest {
    private static final double TOLERANCE = 1e-5;

    private final SplittableRandom random = new SplittableRandom(11);
    private final Map<String, WeightTensor> weights = new LinkedHashMap<>();

    @Test
    void poolingRulesAndFlattenedFeaturesMatchVecnn() {
        List<Node> nodes = List.of(
                new Node(
                        "conv",
                        new Op.Conv2d(6, 3, 3, 1, 1, 2, 2, 2, 2, 2, weight("conv.w", 6, 3, 3, 2), weight("conv.b", 6)),
                        List.of("x"),
                        "conv"),
                new Node("exclude", new Op.AvgPool2d(3, 3, 2, 2, 1, 1, true, false), List.of("conv"), "exclude"),
                new Node("include", new Op.AvgPool2d(3, 3, 2, 2, 1, 1, true, true), List.of("conv"), "include"),
                new Node("add", new Op.Add(), List.of("exclude", "include"), "add"),
                new Node("max", new Op.MaxPool2d(2, 2, 2, 2, 0, 0, true), List.of("add"), "max"),
                new Node("flatten", new Op.Flatten(), List.of("max"), "flatten"),
                new Node(
                        "affine",
                        new Op.ChannelAffine(weight("affine.scale", 54), weight("affine.shift", 54)),
                        List.of("flatten"),
                        "affine"),
                new Node("relu", new Op.Relu(), List.of("affine"), "relu"),
                new Node("fc", new Op.Linear(5, weight("fc.w", 5, 54), weight("fc.b", 5)), List.of("relu"), "fc"),
                new Node("log_softmax", new Op.LogSoftmax(), List.of("fc"), "y"));
        assertSameAsVecnn(new Graph("x", new Shape(4, 9, 9), nodes, "y"), 2);
    }

    @Test
    void aFlattenedOutputComesInVecnnsOrder() {
        List<Node> nodes = List.of(
                new Node(
                        "conv",
                        new Op.Conv2d(3, 1, 1, 1, 1, 0, 0, 1, 1, 1, weight("conv.w", 3, 1, 1, 2), null),
                        List.of("x"),
                        "conv"),
                new Node("flatten", new Op.Flatten(), List.of("conv"), "flatten"),
                new Node("softmax", new Op.Softmax(), List.of("flatten"), "y"));
        assertSameAsVecnn(new Graph("x", new Shape(2, 4, 5), nodes, "y"), 2);
    }

    @Test
    void everyActivationMatchesVecnn() {
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node(
                "conv",
                new Op.Conv2d(5, 3, 3, 1, 1, 1, 1, 1, 1, 1, weight("conv.w", 5, 3, 3, 4), weight("conv.b", 5)),
                List.of("x"),
                "conv"));
        List<String> branches = new ArrayList<>();
        for (ActivationFunction f : ActivationFunction.values()) {
            nodes.add(new Node(f.kind(), new Op.Activation(f), List.of("conv"), f.kind()));
            branches.add(f.kind());
        }
        nodes.add(new Node("squeeze", new Op.AdaptiveAvgPool2d(1, 1), List.of("conv"), "squeeze"));
        nodes.add(new Node("gate", new Op.Activation(ActivationFunction.SIGMOID), List.of("squeeze"), "gate"));
        nodes.add(new Node("se", new Op.ScaleChannels(), List.of("conv", "gate"), "se"));
        branches.add("se");
        nodes.add(new Node("cat", new Op.Concat(), branches, "y"));
        assertSameAsVecnn(new Graph("x", new Shape(4, 5, 6), nodes, "y"), 2);
    }

    @Test
    void channelSliceShuffleAndLayerNormMatchVecnn() {
        List<Node> nodes = List.of(
                new Node(
                        "conv",
                        new Op.Conv2d(6, 3, 3, 1, 1, 1, 1, 1, 1, 1, weight("conv.w", 6, 3, 3, 4), weight("conv.b", 6)),
                        List.of("x"),
                        "conv"),
                new Node("lo", new Op.ChannelSlice(0, 3), List.of("conv"), "lo"),
                new Node("hi", new Op.ChannelSlice(3, 6), List.of("conv"), "hi"),
                new Node("cat", new Op.Concat(), List.of("hi", "lo"), "cat"),
                new Node("shuffle", new Op.ChannelShuffle(3), List.of("cat"), "shuffle"),
                new Node("ln", new Op.LayerNorm(1e-6, weight("ln.w", 6), weight("ln.b", 6)), List.of("shuffle"), "y"));
        assertSameAsVecnn(new Graph("x", new Shape(4, 5, 6), nodes, "y"), 2);
    }

    private void assertSameAsVecnn(Graph graph, int batch) {
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model = Model.of(new ModelFile(graph, weights, List.of(), Map.of()), pool);
                PyTorchEngine torch = PyTorchEngine.open(model, 1)) {
            float[] x = values((int) (batch * graph.inputShape().size()));
            float[] expected = model.run(x, batch);
            float[] actual = torch.run(x, batch);
            assertEquals(expected.length, actual.length);
            double maxDiff = 0;
            double maxExpected = 0;
            for (int i = 0; i < expected.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
                maxExpected = Math.max(maxExpected, Math.abs(expected[i]));
            }
            assertTrue(maxDiff <= TOLERANCE * maxExpected, "max |torch - vecnn| " + maxDiff + " of " + maxExpected);
        } finally {
            pool.shutdown();
        }
    }

    private String weight(String name, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        weights.put(name, new WeightTensor(shape, values(n)));
        return name;
    }

    private float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
