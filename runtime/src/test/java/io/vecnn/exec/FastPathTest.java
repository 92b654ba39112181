package io.vecnn.exec;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.exec.fast.Plan;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planned fast path against the reference executor on a graph with every fusion pattern: conv+ReLU,
 * a residual add fused into the first and into the second of two convolutions, Linear after flatten
 * with ReLU; standalone affine, ReLU and add; and the ops that still run on reference kernels.
 */
class FastPathTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(77);

    static ModelFile residualNetwork() {
        List<Node> nodes = new ArrayList<>();
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        conv(nodes, w, "stem", "input", 3, 16, 3, 2, 1);
        nodes.add(new Node("stem_relu", new Op.Relu(), List.of("stem"), "stem_relu"));
        nodes.add(new Node("pool", new Op.MaxPool2d(3, 3, 2, 2, 1, 1, true), List.of("stem_relu"), "pool"));
        conv(nodes, w, "a1", "pool", 16, 16, 3, 1, 1);
        nodes.add(new Node("a1_relu", new Op.Relu(), List.of("a1"), "a1_relu"));
        conv(nodes, w, "a2", "a1_relu", 16, 16, 3, 1, 1);
        nodes.add(new Node("a_add", new Op.Add(), List.of("a2", "pool"), "a_add"));
        nodes.add(new Node("a_relu", new Op.Relu(), List.of("a_add"), "a_relu"));
        conv(nodes, w, "b1", "a_relu", 16, 21, 3, 2, 1);
        conv(nodes, w, "b2", "b1", 21, 21, 1, 1, 0);
        conv(nodes, w, "down", "a_relu", 16, 21, 1, 2, 0);
        nodes.add(new Node("b_add", new Op.Add(), List.of("b2", "down"), "b_add"));
        nodes.add(new Node("b_relu", new Op.Relu(), List.of("b_add"), "b_relu"));
        conv(nodes, w, "c1", "b_relu", 21, 5, 1, 1, 0);
        conv(nodes, w, "c2", "b_relu", 21, 7, 3, 1, 1);
        nodes.add(new Node("cat", new Op.Concat(), List.of("c1", "c2"), "cat"));
        w.put("cat_bn.scale", WeightTensor.vector(RandomTensors.gaussian(RANDOM, 12, 1)));
        w.put("cat_bn.shift", WeightTensor.vector(RandomTensors.gaussian(RANDOM, 12, 1)));
        nodes.add(new Node("cat_bn", new Op.ChannelAffine("cat_bn.scale", "cat_bn.shift"), List.of("cat"), "cat_bn"));
        nodes.add(new Node("cat_relu", new Op.Relu(), List.of("cat_bn"), "cat_relu"));
        nodes.add(new Node("cat_add", new Op.Add(), List.of("cat_relu", "cat"), "cat_add"));
        nodes.add(new Node("gap", new Op.AdaptiveAvgPool2d(2, 2), List.of("cat_add"), "gap"));
        nodes.add(new Node("flat", new Op.Flatten(), List.of("gap"), "flat"));
        w.put("fc1.weight", new WeightTensor(new int[] {33, 48}, RandomTensors.gaussian(RANDOM, 33 * 48, 0.2)));
        w.put("fc1.bias", WeightTensor.vector(RandomTensors.gaussian(RANDOM, 33, 0.1)));
        nodes.add(new Node("fc1", new Op.Linear(33, "fc1.weight", "fc1.bias"), List.of("flat"), "fc1"));
        nodes.add(new Node("fc1_relu", new Op.Relu(), List.of("fc1"), "fc1_relu"));
        w.put("fc2.weight", new WeightTensor(new int[] {10, 33}, RandomTensors.gaussian(RANDOM, 330, 0.2)));
        nodes.add(new Node("fc2", new Op.Linear(10, "fc2.weight", null), List.of("fc1_relu"), "fc2"));
        nodes.add(new Node("prob", new Op.Softmax(), List.of("fc2"), "prob"));
        return new ModelFile(new Graph("input", new Shape(3, 61, 57), nodes, "prob"), w, List.of(), Map.of());
    }

    private static void conv(
            List<Node> nodes,
            Map<String, WeightTensor> w,
            String name,
            String in,
            int inC,
            int outC,
            int k,
            int stride,
            int pad) {
        w.put(
                name + ".weight",
                new WeightTensor(
                        new int[] {outC, k, k, inC},
                        RandomTensors.gaussian(RANDOM, outC * k * k * inC, Math.sqrt(2.0 / (k * k * inC)))));
        w.put(name + ".bias", WeightTensor.vector(RandomTensors.gaussian(RANDOM, outC, 0.1)));
        nodes.add(new Node(
                name,
                new Op.Conv2d(outC, k, k, stride, stride, pad, pad, 1, 1, 1, name + ".weight", name + ".bias"),
                List.of(in),
                name));
    }

    @Test
    void fastPathMatchesReferenceAndFusesWhatItShould() {
        try (Model model = Model.of(residualNetwork()).withKernelSelection(KernelSelection.HEURISTIC)) {
            Tensor x = new Tensor(3, 61, 57, 3, RandomTensors.gaussian(RANDOM, 3 * 61 * 57 * 3, 1));
            float[] fast = model.run(x).data();
            float[] reference = model.runReference(x).data();
            for (int i = 0; i < fast.length; i++) {
                assertEquals(reference[i], fast[i], 1e-5, "output " + i);
            }
            Plan plan = model.plan(new Shape(3, 61, 57));
            String steps = String.join("\n", plan.describe());
            // 3 input channels: the windows are read in place, on every vector width (the panel narrows to fit
            // the 16 channels: 1 vector of 512 bits, 2 of 256).
            assertTrue(steps.contains("stem: conv 16x31x29 by implicit gemm + relu"), steps);
            // Both residuals are read for the last time there, so the outputs take their memory.
            assertTrue(
                    steps.contains(
                            "a2: conv 16x16x15 by winograd F(4x4,3x3) + residual + relu, written over the residual"),
                    steps);
            assertTrue(
                    steps.contains("down: conv 21x8x8 by im2col gemm + residual + relu, written over the residual"),
                    steps);
            assertTrue(steps.contains("fc1: linear 48 -> 33 + relu"), steps);
            assertTrue(steps.contains("c1: conv 5x8x8 by gemm 1x1 into channels 0..5 of a concat"), steps);
            assertTrue(steps.contains("c2: conv 7x8x8 by im2col gemm into channels 5..12 of a concat"), steps);
            assertTrue(steps.contains("cat: concat, 0 input(s) copied"), steps);
            assertTrue(steps.contains("cat_bn: channel_affine\ncat_relu: relu\ncat_add: add"), steps);
        }
    }

    /**
     * Two DenseNet blocks as torchvision's {@code _DenseBlock} builds them: every layer reads the concat of the
     * block input and all earlier layers (BN, ReLU, 1x1, BN folded, ReLU, 3x3 growth), the block's output is the
     * concat of them all, and a transition (BN, ReLU, 1x1, average pool) sits between the blocks. Either each
     * layer concatenates all before it at once ({@code torch.cat(features)}), or the block concatenates one layer
     * at a time ({@code nested}: each concat's first input is the one before).
     */
    static ModelFile denseNetwork(boolean nested) {
        List<Node> nodes = new ArrayList<>();
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        conv(nodes, w, "stem", "input", 3, 10, 3, 2, 1);
        nodes.add(new Node("stem_pool", new Op.MaxPool2d(3, 3, 2, 2, 1, 1, false), List.of("stem"), "stem_pool"));
        String x = denseBlock(nodes, w, "b1", "stem_pool", 10, 3, 7, nested);
        int channels = 10 + 3 * 7;
        affine(nodes, w, "t_bn", x, channels);
        nodes.add(new Node("t_relu", new Op.Relu(), List.of("t_bn"), "t_relu"));
        conv(nodes, w, "t_conv", "t_relu", channels, 13, 1, 1, 0);
        nodes.add(new Node("t_pool", new Op.AvgPool2d(2, 2, 2, 2, 0, 0, false, true), List.of("t_conv"), "t_pool"));
        x = denseBlock(nodes, w, "b2", "t_pool", 13, 4, 5, nested);
        affine(nodes, w, "final_bn", x, 13 + 4 * 5);
        nodes.add(new Node("gap", new Op.AdaptiveAvgPool2d(1, 1), List.of("final_bn"), "gap"));
        return new ModelFile(new Graph("input", new Shape(3, 45, 39), nodes, "gap"), w, List.of(), Map.of());
    }

    private static String denseBlock(
            List<Node> nodes,
            Map<String, WeightTensor> w,
            String name,
            String in,
            int channels,
            int layers,
            int growth,
            boolean nested) {
        List<String> features = new ArrayList<>(List.of(in));
        String running = in;
        for (int i = 0; i < layers; i++) {
            String p = name + "_l" + i;
            String layerInput = in;
            if (i > 0) {
                List<String> parts =
                        nested ? List.of(running, features.get(features.size() - 1)) : List.copyOf(features);
                nodes.add(new Node(p + "_cat", new Op.Concat(), parts, p + "_cat"));
                layerInput = p + "_cat";
                running = layerInput;
            }
            affine(nodes, w, p + "_bn", layerInput, channels + i * growth);
            nodes.add(new Node(p + "_relu", new Op.Relu(), List.of(p + "_bn"), p + "_relu"));
            conv(nodes, w, p + "_conv1", p + "_relu", channels + i * growth, 2 * growth, 1, 1, 0);
            nodes.add(new Node(p + "_relu2", new Op.Relu(), List.of(p + "_conv1"), p + "_relu2"));
            conv(nodes, w, p + "_conv2", p + "_relu2", 2 * growth, growth, 3, 1, 1);
            features.add(p + "_conv2");
        }
        List<String> parts = nested ? List.of(running, features.get(features.size() - 1)) : List.copyOf(features);
        nodes.add(new Node(name + "_out", new Op.Concat(), parts, name + "_out"));
        return name + "_out";
    }

    private static void affine(List<Node> nodes, Map<String, WeightTensor> w, String name, String in, int channels) {
        w.put(name + ".scale", WeightTensor.vector(RandomTensors.gaussian(RANDOM, channels, 1)));
        w.put(name + ".shift", WeightTensor.vector(RandomTensors.gaussian(RANDOM, channels, 1)));
        nodes.add(new Node(name, new Op.ChannelAffine(name + ".scale", name + ".shift"), List.of(in), name));
    }

    @ParameterizedTest(name = "nested {0}")
    @ValueSource(booleans = {false, true})
    void denseBlocksShareOneConcatBufferAndMatchTheReference(boolean nested) {
        try (Model model = Model.of(denseNetwork(nested)).withKernelSelection(KernelSelection.HEURISTIC)) {
            Tensor x = new Tensor(2, 45, 39, 3, RandomTensors.gaussian(RANDOM, 2 * 45 * 39 * 3, 1));
            float[] fast = model.run(x).data();
            float[] reference = model.runReference(x).data();
            for (int i = 0; i < fast.length; i++) {
                assertEquals(reference[i], fast[i], 1e-4 * (1 + Math.abs(reference[i])), "output " + i);
            }
            String steps = String.join("\n", model.plan(new Shape(3, 45, 39)).describe());
            // The block input is copied into the block's buffer once, by the first concat; each layer's 3x3
            // writes its growth channels there; no concat copies anything else.
            assertTrue(steps.contains("b1_l1_cat: concat, 1 input(s) copied"), steps);
            assertTrue(steps.contains("b1_l2_conv2: conv 7x12x10 by "), steps);
            assertTrue(steps.contains("into channels 24..31 of a concat"), steps);
            assertTrue(
                    steps.contains("b1_l1_bn: channel_affine + relu of the first 17 of 31 channels, in place"), steps);
            assertTrue(steps.contains("b1_out: concat, 0 input(s) copied"), steps);
            assertTrue(!steps.contains("b1_l2_cat") && !steps.contains("b2_l3_cat"), steps);
        }
    }

    @Test
    void resultsAreBitIdenticalAcrossRunsThreadCountsAndBatchPositions() {
        ModelFile file = residualNetwork();
        Tensor x = new Tensor(2, 61, 57, 3, RandomTensors.gaussian(RANDOM, 2 * 61 * 57 * 3, 1));
        ForkJoinPool one = new ForkJoinPool(1);
        ForkJoinPool two = new ForkJoinPool(2);
        try (Model a = Model.of(file, one).withKernelSelection(KernelSelection.HEURISTIC);
                Model b = Model.of(file, two).withKernelSelection(KernelSelection.HEURISTIC)) {
            float[] first = a.run(x).data();
            assertArrayEquals(first, a.run(x).data());
            assertArrayEquals(first, b.run(x).data());
            float[] single = b.run(new Tensor(1, 61, 57, 3, java.util.Arrays.copyOf(x.data(), 61 * 57 * 3)))
                    .data();
            assertArrayEquals(java.util.Arrays.copyOf(first, single.length), single);
        } finally {
            one.shutdown();
            two.shutdown();
        }
    }
}
