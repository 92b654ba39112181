package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.bench.run.OutputCheck;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Op;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The paths of the PyTorch peer no built-in architecture takes, against VecNN on small graphs: grouped
 * dilated convolution, average pooling that excludes padding (which DJL's binding cannot ask libtorch
 * for), an affine over flattened features, and a graph whose output is itself a flattened map.
 */
class PyTorchEngineOpsTest {
    private static final double TOLERANCE = 1e-5;

    @Test
    void poolingRulesAndFlattenedFeaturesMatchVecnn() {
        TestGraph n = new TestGraph(new Shape(4, 9, 9), 1);
        String conv = n.conv("conv", "input", 4, 6, 3, 1, 2, 2, 2, true);
        String exclude = n.add("exclude", new Op.AvgPool2d(3, 3, 2, 2, 1, 1, true, false), conv);
        String include = n.add("include", new Op.AvgPool2d(3, 3, 2, 2, 1, 1, true, true), conv);
        String max =
                n.add("max", new Op.MaxPool2d(2, 2, 2, 2, 0, 0, true), n.add("add", new Op.Add(), exclude, include));
        String relu = n.add("relu", new Op.Relu(), n.affine("affine", n.add("flatten", new Op.Flatten(), max), 54));
        assertSameAsVecnn(n, n.add("log_softmax", new Op.LogSoftmax(), n.linear("fc", relu, 54, 5, true)));
    }

    @Test
    void aFlattenedOutputComesInVecnnsOrder() {
        TestGraph n = new TestGraph(new Shape(2, 4, 5), 1);
        String flat = n.add("flatten", new Op.Flatten(), n.conv("conv", "input", 2, 3, 1, 1, 0, 1, 1, false));
        assertSameAsVecnn(n, n.add("softmax", new Op.Softmax(), flat));
    }

    @Test
    void everyActivationMatchesVecnn() {
        TestGraph n = new TestGraph(new Shape(4, 5, 6), 1);
        String conv = n.conv("conv", "input", 4, 5, 3, 1, 1, 1, 1, true);
        List<String> branches = new ArrayList<>();
        for (ActivationFunction f : ActivationFunction.values()) {
            branches.add(n.add(f.kind(), new Op.Activation(f), conv));
        }
        String gate = n.add(
                "gate",
                new Op.Activation(ActivationFunction.SIGMOID),
                n.add("squeeze", new Op.AdaptiveAvgPool2d(1, 1), conv));
        branches.add(n.add("se", new Op.ScaleChannels(), conv, gate));
        assertSameAsVecnn(n, n.add("cat", new Op.Concat(), branches.toArray(String[]::new)));
    }

    @Test
    void channelSliceShuffleAndLayerNormMatchVecnn() {
        TestGraph n = new TestGraph(new Shape(4, 5, 6), 1);
        String conv = n.conv("conv", "input", 4, 6, 3, 1, 1, 1, 1, true);
        String lo = n.add("lo", new Op.ChannelSlice(0, 3), conv);
        String hi = n.add("hi", new Op.ChannelSlice(3, 6), conv);
        String shuffled = n.add("shuffle", new Op.ChannelShuffle(3), n.add("cat", new Op.Concat(), hi, lo));
        assertSameAsVecnn(n, n.add("ln", new Op.LayerNorm(1e-6, n.weight("ln.w", 6), n.weight("ln.b", 6)), shuffled));
    }

    /** VecNN and the PyTorch peer give the same outputs for {@code output} of {@code graph}, at batch 2. */
    private static void assertSameAsVecnn(TestGraph graph, String output) {
        int batch = 2;
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model = graph.model(output, pool);
                PyTorchEngine torch = PyTorchEngine.open(model, 1)) {
            float[] x = RandomTensors.gaussian(new SplittableRandom(11), (int) (batch * graph.input.size()));
            double relative = OutputCheck.maxRelativeDifference(torch.run(x, batch), model.run(x, batch));
            assertTrue(relative <= TOLERANCE, "max |torch - vecnn| relative to max |vecnn|: " + relative);
        } finally {
            pool.shutdown();
        }
    }
}
