package io.vecnn.exec;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.graph.ActivationFunction;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Activations fused into every convolution algorithm's epilogue (implicit GEMM, depthwise, Winograd, 1x1 GEMM,
 * im2col into a concat slice, a squeeze-and-excitation gate), after a fused ReLU, and standing alone after a concat
 * and a Linear: the fast path
 * against the reference executor, and the plan showing where each went.
 */
class ActivationFusionTest {
    private final SplittableRandom random = new SplittableRandom(19);
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, WeightTensor> weights = new LinkedHashMap<>();

    private String conv(String name, String in, int inC, int outC, int k, int stride, int groups) {
        weights.put(
                name + ".weight",
                new WeightTensor(
                        new int[] {outC, k, k, inC / groups},
                        RandomTensors.gaussian(random, outC * k * k * inC / groups, Math.sqrt(2.0 / (k * k * inC)))));
        weights.put(name + ".bias", WeightTensor.vector(RandomTensors.gaussian(random, outC, 0.5)));
        nodes.add(new Node(
                name,
                new Op.Conv2d(outC, k, k, stride, stride, k / 2, k / 2, 1, 1, groups, name + ".weight", name + ".bias"),
                List.of(in),
                name));
        return name;
    }

    private String act(String name, ActivationFunction f, String in) {
        nodes.add(new Node(name, new Op.Activation(f), List.of(in), name));
        return name;
    }

    @Test
    void everyConvolutionAlgorithmFusesTheActivationAfterIt() {
        String x = act("stem_relu6", ActivationFunction.RELU6, conv("stem", "input", 3, 16, 3, 2, 1));
        x = act("dw_hardswish", ActivationFunction.HARDSWISH, conv("dw", x, 16, 16, 3, 1, 16));
        x = act("wino_silu", ActivationFunction.SILU, conv("wino", x, 16, 16, 3, 1, 1));
        nodes.add(new Node("se_pool", new Op.AdaptiveAvgPool2d(1, 1), List.of(x), "se_pool"));
        String squeeze = act("se_silu", ActivationFunction.SILU, conv("se_fc1", "se_pool", 16, 4, 1, 1, 1));
        String gate = act("se_gate", ActivationFunction.SIGMOID, conv("se_fc2", squeeze, 4, 16, 1, 1, 1));
        nodes.add(new Node("se", new Op.ScaleChannels(), List.of(x, gate), "se"));
        String pw = conv("pw", "se", 16, 24, 1, 1, 1);
        nodes.add(new Node("pw_relu", new Op.Relu(), List.of(pw), "pw_relu"));
        x = act("pw_gelu", ActivationFunction.GELU, "pw_relu");
        String c1 = act("c1_sigmoid", ActivationFunction.SIGMOID, conv("c1", x, 24, 5, 1, 1, 1));
        String c2 = act("c2_hardsigmoid", ActivationFunction.HARDSIGMOID, conv("c2", x, 24, 7, 3, 2, 1));
        String c3 = conv("c3", x, 24, 6, 3, 2, 1);
        nodes.add(new Node("c1_pool", new Op.MaxPool2d(2, 2, 2, 2, 0, 0, true), List.of(c1), "c1_pool"));
        nodes.add(new Node("cat", new Op.Concat(), List.of("c1_pool", c2, c3), "cat"));
        x = act("cat_tanh", ActivationFunction.TANH, "cat");
        nodes.add(new Node("gap", new Op.AdaptiveAvgPool2d(1, 1), List.of(x), "gap"));
        nodes.add(new Node("flat", new Op.Flatten(), List.of("gap"), "flat"));
        weights.put("fc.weight", new WeightTensor(new int[] {10, 18}, RandomTensors.gaussian(random, 180, 0.5)));
        nodes.add(new Node("fc", new Op.Linear(10, "fc.weight", null), List.of("flat"), "fc"));
        act("fc_relu6", ActivationFunction.RELU6, "fc");
        Shape input = new Shape(3, 41, 37);
        ModelFile file = new ModelFile(new Graph("input", input, nodes, "fc_relu6"), weights, List.of(), Map.of());

        try (Model model = Model.of(file).withKernelSelection(KernelSelection.HEURISTIC)) {
            Tensor in = new Tensor(2, 41, 37, 3, RandomTensors.gaussian(random, 2 * 41 * 37 * 3, 1));
            float[] fast = model.run(in).data();
            float[] reference = model.runReference(in).data();
            for (int i = 0; i < fast.length; i++) {
                assertEquals(reference[i], fast[i], 1e-5 * (1 + Math.abs(reference[i])), "output " + i);
            }
            String steps = String.join("\n", model.plan(input).describe());
            assertTrue(steps.contains("stem: conv 16x21x19 by implicit gemm + relu6"), steps);
            assertTrue(steps.contains("dw: conv 16x21x19 by depthwise + hardswish"), steps);
            assertTrue(steps.contains("wino: conv 16x21x19 by winograd F(4x4,3x3) + silu"), steps);
            assertTrue(steps.contains("pw: conv 24x21x19 by gemm 1x1 + relu + gelu"), steps);
            assertTrue(
                    steps.contains("c2: conv 7x11x10 by im2col gemm + hardsigmoid into channels 5..12 of a concat"),
                    steps);
            assertTrue(steps.contains("cat_tanh: tanh"), steps);
            assertTrue(steps.contains("fc_relu6: relu6"), steps);
            assertTrue(steps.contains("se_fc2: conv 16x1x1 by gemm 1x1 + sigmoid\nse: scale_channels"), steps);
        }
    }
}
