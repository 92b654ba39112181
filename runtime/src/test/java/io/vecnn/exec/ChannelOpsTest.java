package io.vecnn.exec;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.VecnnException;
import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast steps of the per-pixel channel ops (layer norm, channel shuffle, channel slice) against their reference
 * twins, on random maps whose channel counts are not multiples of any vector width, at several batch sizes.
 */
class ChannelOpsTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(2014);
    private static final int[] CHANNELS = {1, 2, 3, 7, 13, 24, 31, 58, 97, 130};

    @Test
    void layerNormMatchesReference() {
        for (int c : CHANNELS) {
            Map<String, WeightTensor> w = new LinkedHashMap<>();
            w.put("ln.weight", WeightTensor.vector(RandomTensors.gaussian(RANDOM, c, 1)));
            w.put("ln.bias", WeightTensor.vector(RandomTensors.gaussian(RANDOM, c, 1)));
            Node ln = new Node("ln", new Op.LayerNorm(1e-6, "ln.weight", "ln.bias"), List.of("input"), "ln");
            // Offset inputs: the mean is far from zero, where E[x^2] - E[x]^2 would lose the variance.
            assertSame(new Shape(c, 5, 7), List.of(ln), w, 100, 1e-4, "layer_norm over " + c);
        }
    }

    @Test
    void layerNormOfAConstantPixelIsItsBias() {
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        w.put("ln.weight", WeightTensor.vector(new float[] {2, 3, 4}));
        w.put("ln.bias", WeightTensor.vector(new float[] {0.5f, -1, 7}));
        Graph g = new Graph(
                "input",
                new Shape(3, 1, 1),
                List.of(new Node("ln", new Op.LayerNorm(1e-5, "ln.weight", "ln.bias"), List.of("input"), "ln")),
                "ln");
        try (Model model = Model.of(new ModelFile(g, w, List.of(), Map.of()))) {
            Tensor x = new Tensor(1, 1, 1, 3, new float[] {5, 5, 5});
            assertArrayEquals(new float[] {0.5f, -1, 7}, model.run(x).data());
            assertArrayEquals(new float[] {0.5f, -1, 7}, model.runReference(x).data());
        }
    }

    @Test
    void channelShuffleMatchesReferenceAndTorchsDefinition() {
        for (int c : CHANNELS) {
            for (int groups : new int[] {1, 2, 3, 4}) {
                if (c % groups != 0) {
                    continue;
                }
                Node shuffle = new Node("shuffle", new Op.ChannelShuffle(groups), List.of("input"), "shuffle");
                assertSame(new Shape(c, 3, 5), List.of(shuffle), Map.of(), 0, 0, c + " channels in " + groups);
            }
        }
        // torch: x.view(1, 2, 3, 1, 1).transpose(1, 2).flatten(1) of channels 0..5 gives 0 3 1 4 2 5.
        Node shuffle = new Node("shuffle", new Op.ChannelShuffle(2), List.of("input"), "shuffle");
        Tensor x = new Tensor(1, 1, 1, 6, new float[] {0, 1, 2, 3, 4, 5});
        assertArrayEquals(
                new float[] {0, 3, 1, 4, 2, 5},
                ReferenceExecutor.apply(shuffle, List.of(x), Map.of()).data());
    }

    @Test
    void channelSliceMatchesReference() {
        for (int c : CHANNELS) {
            int half = c / 2;
            List<Node> nodes = new ArrayList<>();
            nodes.add(new Node("hi", new Op.ChannelSlice(half, c), List.of("input"), "hi"));
            if (half > 0) {
                nodes.add(new Node("lo", new Op.ChannelSlice(0, half), List.of("input"), "lo"));
                nodes.add(new Node("cat", new Op.Concat(), List.of("hi", "lo"), "cat"));
            }
            assertSame(new Shape(c, 4, 3), nodes, Map.of(), 0, 0, "halves of " + c);
        }
    }

    /** ShuffleNet v2's stride-1 unit: chunk, a branch on the second half, concat, shuffle; then a layer norm. */
    @Test
    void shuffleUnitMatchesReference() {
        int c = 58;
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        w.put("pw.weight", new WeightTensor(new int[] {29, 1, 1, 29}, RandomTensors.gaussian(RANDOM, 29 * 29, 0.3)));
        w.put("dw.weight", new WeightTensor(new int[] {29, 3, 3, 1}, RandomTensors.gaussian(RANDOM, 29 * 9, 0.3)));
        w.put("ln.weight", WeightTensor.vector(RandomTensors.gaussian(RANDOM, c, 1)));
        w.put("ln.bias", WeightTensor.vector(RandomTensors.gaussian(RANDOM, c, 1)));
        List<Node> nodes = List.of(
                new Node("x1", new Op.ChannelSlice(0, 29), List.of("input"), "x1"),
                new Node("x2", new Op.ChannelSlice(29, 58), List.of("input"), "x2"),
                new Node("pw", new Op.Conv2d(29, 1, 1, 1, 1, 0, 0, 1, 1, 1, "pw.weight", null), List.of("x2"), "pw"),
                new Node("relu", new Op.Relu(), List.of("pw"), "relu"),
                new Node("dw", new Op.Conv2d(29, 3, 3, 1, 1, 1, 1, 1, 1, 29, "dw.weight", null), List.of("relu"), "dw"),
                new Node("cat", new Op.Concat(), List.of("x1", "dw"), "cat"),
                new Node("shuffle", new Op.ChannelShuffle(2), List.of("cat"), "shuffle"),
                new Node("ln", new Op.LayerNorm(1e-6, "ln.weight", "ln.bias"), List.of("shuffle"), "ln"));
        String steps = assertSame(new Shape(c, 9, 11), nodes, w, 0, 1e-4, "shuffle unit");
        assertTrue(steps.contains("x2: channel_slice 29..58"), steps);
        assertTrue(steps.contains("shuffle: channel_shuffle, 2 groups"), steps);
        assertTrue(steps.contains("ln: layer_norm over 58 channels"), steps);
    }

    @Test
    void badParametersAreRefused() {
        Map<String, WeightTensor> w = Map.of();
        assertEquals(
                "node 's': groups 4 must divide the 6 input channels",
                assertThrows(VecnnException.class, () -> build(new Shape(6, 2, 2), new Op.ChannelShuffle(4), w))
                        .getMessage());
        assertEquals(
                "node 's': takes channels 2..9 of an input with 6 channels",
                assertThrows(VecnnException.class, () -> build(new Shape(6, 2, 2), new Op.ChannelSlice(2, 9), w))
                        .getMessage());
        assertEquals(
                "node 's': channel slice 3..3 must start at 0 or later and end after its start",
                assertThrows(VecnnException.class, () -> build(new Shape(6, 2, 2), new Op.ChannelSlice(3, 3), w))
                        .getMessage());
        assertEquals(
                "node 's': layer norm eps must be positive and finite, got 0.0",
                assertThrows(VecnnException.class, () -> build(new Shape(6, 2, 2), new Op.LayerNorm(0, "a", "b"), w))
                        .getMessage());
        String missing = assertThrows(
                        VecnnException.class, () -> build(new Shape(6, 2, 2), new Op.LayerNorm(1e-6, "a", "b"), w))
                .getMessage();
        assertTrue(missing.contains("'a'"), missing);
    }

    private static void build(Shape in, Op op, Map<String, WeightTensor> w) {
        Graph g = new Graph("input", in, List.of(new Node("s", op, List.of("input"), "s")), "s");
        try (Model model = Model.of(new ModelFile(g, w, List.of(), Map.of()))) {
            model.plan(in);
        }
    }

    /**
     * Runs the nodes (the last one's output is the graph's) on the fast path and the reference executor at batch 1
     * and 3, with inputs offset by {@code offset}; returns the plan's steps.
     */
    private static String assertSame(
            Shape in, List<Node> nodes, Map<String, WeightTensor> w, double offset, double relTol, String what) {
        Graph g = new Graph("input", in, nodes, nodes.get(nodes.size() - 1).output());
        try (Model model = Model.of(new ModelFile(g, new LinkedHashMap<>(w), List.of(), Map.of()))
                .withKernelSelection(KernelSelection.HEURISTIC)) {
            for (int batch : new int[] {1, 3}) {
                float[] data = RandomTensors.gaussian(RANDOM, batch * (int) in.size(), 1);
                for (int i = 0; i < data.length; i++) {
                    data[i] += (float) offset;
                }
                Tensor x = new Tensor(batch, in.height(), in.width(), in.channels(), data);
                float[] fast = model.run(x).data();
                float[] reference = model.runReference(x).data();
                assertEquals(reference.length, fast.length, what);
                for (int i = 0; i < fast.length; i++) {
                    assertEquals(
                            reference[i],
                            fast[i],
                            relTol * Math.max(1, Math.abs(reference[i])),
                            what + ", batch " + batch + ", value " + i);
                }
            }
            return String.join("\n", model.plan(in).describe());
        }
    }
}
