package io.vecnn.exec;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * NaN and ±∞ in an input go where PyTorch sends them: the fast path puts NaN and each infinity at exactly the
 * output positions the reference executor does (plain loops: a NaN in a window makes the max and the sum NaN,
 * ReLU keeps NaN, ∞·w is ±∞), and agrees with it on every finite value. One network per op, then whole networks.
 */
class NonFiniteInputTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(5);
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    /** A single node on a {@code c x h x w} input, with the weights it names. */
    private static ModelFile oneLayer(Shape input, Op op, Map<String, WeightTensor> weights) {
        List<Node> nodes = List.of(new Node("op", op, List.of("input"), "op"));
        return new ModelFile(new Graph("input", input, nodes, "op"), weights, List.of(), Map.of());
    }

    private static Map<String, WeightTensor> convWeights(int inC, int outC, int k) {
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        w.put(
                "w",
                new WeightTensor(
                        new int[] {outC, k, k, inC},
                        RandomTensors.gaussian(RANDOM, outC * k * k * inC, Math.sqrt(2.0 / (k * k * inC)))));
        w.put("b", WeightTensor.vector(RandomTensors.gaussian(RANDOM, outC, 0.1)));
        return w;
    }

    private static ModelFile conv(Shape in, int outC, int k, int stride, int pad) {
        return oneLayer(
                in,
                new Op.Conv2d(outC, k, k, stride, stride, pad, pad, 1, 1, 1, "w", "b"),
                convWeights(in.channels(), outC, k));
    }

    /** conv → conv + input → ReLU: the residual add and the ReLU fused into the second convolution. */
    private static ModelFile residualBlock(Shape in) {
        Map<String, WeightTensor> w = convWeights(in.channels(), in.channels(), 3);
        w.put(
                "w2",
                new WeightTensor(
                        new int[] {in.channels(), 3, 3, in.channels()},
                        RandomTensors.gaussian(RANDOM, in.channels() * 9 * in.channels(), 0.1)));
        List<Node> nodes = List.of(
                new Node(
                        "c1",
                        new Op.Conv2d(in.channels(), 3, 3, 1, 1, 1, 1, 1, 1, 1, "w", "b"),
                        List.of("input"),
                        "c1"),
                new Node("r1", new Op.Relu(), List.of("c1"), "r1"),
                new Node(
                        "c2", new Op.Conv2d(in.channels(), 3, 3, 1, 1, 1, 1, 1, 1, 1, "w2", null), List.of("r1"), "c2"),
                new Node("add", new Op.Add(), List.of("c2", "input"), "add"),
                new Node("relu", new Op.Relu(), List.of("add"), "relu"));
        return new ModelFile(new Graph("input", in, nodes, "relu"), w, List.of(), Map.of());
    }

    /** Max pool and average pool of the input added, and concatenated with the input. */
    private static ModelFile poolsAddConcat(Shape in) {
        List<Node> nodes = List.of(
                new Node("max", new Op.MaxPool2d(3, 3, 1, 1, 1, 1, false), List.of("input"), "max"),
                new Node("avg", new Op.AvgPool2d(3, 3, 1, 1, 1, 1, false, true), List.of("input"), "avg"),
                new Node("add", new Op.Add(), List.of("max", "avg"), "add"),
                new Node("cat", new Op.Concat(), List.of("add", "input"), "cat"));
        return new ModelFile(new Graph("input", in, nodes, "cat"), Map.of(), List.of(), Map.of());
    }

    private static ModelFile linear(Shape in, int out, boolean relu) {
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node("flat", new Op.Flatten(), List.of("input"), "flat"));
        nodes.add(new Node("fc", new Op.Linear(out, "w", "b"), List.of("flat"), "fc"));
        if (relu) {
            nodes.add(new Node("relu", new Op.Relu(), List.of("fc"), "relu"));
        }
        int features = (int) in.size();
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        w.put(
                "w",
                new WeightTensor(
                        new int[] {out, features},
                        RandomTensors.gaussian(RANDOM, out * features, Math.sqrt(1.0 / features))));
        w.put("b", WeightTensor.vector(RandomTensors.gaussian(RANDOM, out, 0.1)));
        return new ModelFile(new Graph("input", in, nodes, relu ? "relu" : "fc"), w, List.of(), Map.of());
    }

    private static ModelFile affine(Shape in) {
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        w.put("scale", WeightTensor.vector(RandomTensors.gaussian(RANDOM, in.channels(), 1)));
        w.put("shift", WeightTensor.vector(RandomTensors.gaussian(RANDOM, in.channels(), 1)));
        return oneLayer(in, new Op.ChannelAffine("scale", "shift"), w);
    }

    /**
     * A batch of 5: image 0 with NaN, image 1 with +∞, image 2 with -∞ and image 3 with all three, each at a
     * few scattered positions (one at a corner, where padding meets it); every other value Gaussian, and image
     * 4 all finite (a classifier's NaN image turns all its logits NaN, the clean one none).
     */
    private static Tensor poisoned(Shape s) {
        int per = (int) s.size();
        float[] x = RandomTensors.gaussian(RANDOM, 5 * per, 1);
        for (int image = 0; image < 4; image++) {
            for (int j = 0; j < 3; j++) {
                float special = image < 3 ? SPECIALS[image] : SPECIALS[j];
                int at = j == 0 ? 0 : RANDOM.nextInt(per);
                x[image * per + at] = special;
            }
        }
        return new Tensor(5, s.height(), s.width(), s.channels(), x);
    }

    private static void assertSameNonFinitePositions(ModelFile file, KernelSelection selection, int threads) {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try (Model model = Model.of(file, pool).withKernelSelection(selection)) {
            Tensor x = poisoned(file.graph().inputShape());
            float[] fast = model.run(x).data();
            float[] reference = model.runReference(x).data();
            assertEquals(reference.length, fast.length);
            int nonFinite = 0;
            for (int i = 0; i < fast.length; i++) {
                float r = reference[i];
                float f = fast[i];
                if (Float.isNaN(r) || Float.isInfinite(r)) {
                    nonFinite++;
                    if (Float.compare(r, f) != 0) {
                        fail("output " + i + " of "
                                + String.join(
                                        " | ",
                                        model.plan(file.graph().inputShape()).describe()) + ": reference " + r
                                + ", fast " + f);
                    }
                } else if (!(Math.abs(r - f) <= 1e-4 * Math.max(1, Math.abs(r)))) {
                    fail("output " + i + ": reference " + r + ", fast " + f);
                }
            }
            assertTrue(nonFinite > 0, "the poisoned input reached no output");
            assertTrue(nonFinite < fast.length, "every output was NaN or infinite: nothing tells positions apart");
        } finally {
            pool.shutdown();
        }
    }

    private static void check(ModelFile file) {
        for (KernelSelection selection : KernelSelection.values()) {
            for (int threads = 1; threads <= 2; threads++) {
                assertSameNonFinitePositions(file, selection, threads);
            }
        }
    }

    @Test
    void winogradConvolutionKeepsNaNAndInfinityInTheirWindows() {
        check(conv(new Shape(16, 16, 16), 16, 3, 1, 1));
        check(conv(new Shape(20, 18, 19), 24, 3, 1, 0));
    }

    @Test
    void gemmConvolutionsKeepNaNAndInfinityInTheirWindows() {
        check(conv(new Shape(3, 15, 13), 8, 3, 1, 1));
        check(conv(new Shape(16, 15, 13), 16, 3, 2, 1));
        check(conv(new Shape(16, 9, 7), 24, 1, 1, 0));
        check(conv(new Shape(3, 21, 21), 8, 7, 2, 3));
    }

    @Test
    void residualAddAndReluPropagateLikeTorch() {
        check(residualBlock(new Shape(16, 16, 16)));
    }

    @Test
    void poolingAddAndConcatPropagateLikeTorch() {
        check(poolsAddConcat(new Shape(16, 9, 8)));
        check(poolsAddConcat(new Shape(5, 9, 8)));
        check(oneLayer(new Shape(16, 9, 8), new Op.MaxPool2d(3, 3, 2, 2, 1, 1, true), Map.of()));
        check(oneLayer(new Shape(16, 9, 8), new Op.AdaptiveAvgPool2d(2, 3), Map.of()));
        check(oneLayer(new Shape(70, 5, 4), new Op.Relu(), Map.of()));
        check(affine(new Shape(7, 6, 5)));
    }

    @Test
    void linearKeepsANaNRowToItsImage() {
        check(linear(new Shape(4, 3, 3), 10, true));
        check(linear(new Shape(2, 2, 2), 50, false));
    }

    @Test
    void wholeNetworksTerminateAndAgree() {
        check(SmallNets.classifier(new Shape(3, 32, 32), new int[] {16, 16, 32}, 10, 3, Map.of()));
        check(FastPathTest.residualNetwork());
    }
}
