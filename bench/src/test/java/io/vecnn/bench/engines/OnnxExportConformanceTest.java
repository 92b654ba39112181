package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.exec.fast.KernelSelection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every built-in architecture (but the largest members of some families, see {@link PeerTestedArchitectures}),
 * exported to ONNX and run by ONNX Runtime, computes what VecNN computes on the same weights and input. ResNets (ResNeXts and Wide ResNets too) and DenseNets run at a reduced input
 * size, where every layer takes the same path as at the default size (the global average pool). Most VGGs run at 32x32, where their adaptive pool
 * upsamples a 1x1 map to 7x7; VGG-11 runs at its default size, where that pool is the identity, as do
 * AlexNet, GoogLeNet and SqueezeNet (whose ceil-mode pools round up there) and Inception v3.
 */
class OnnxExportConformanceTest {
    private static final double TOLERANCE = 1e-4;
    private static final int THREADS = 2;
    private static final Map<String, Integer> REDUCED_SIZES = Map.ofEntries(
            Map.entry("resnet18", 64),
            Map.entry("resnet34", 64),
            Map.entry("resnet50", 64),
            Map.entry("resnet101", 64),
            Map.entry("resnet152", 64),
            Map.entry("resnext50_32x4d", 64),
            Map.entry("resnext101_32x8d", 64),
            Map.entry("resnext101_64x4d", 64),
            Map.entry("wide_resnet50_2", 64),
            Map.entry("wide_resnet101_2", 64),
            Map.entry("densenet121", 64),
            Map.entry("densenet161", 64),
            Map.entry("densenet169", 64),
            Map.entry("densenet201", 64),
            Map.entry("vgg13", 32),
            Map.entry("vgg13_bn", 32),
            Map.entry("vgg16", 32),
            Map.entry("vgg16_bn", 32),
            Map.entry("vgg19", 32),
            Map.entry("vgg19_bn", 32),
            // The larger EfficientNets at their own sizes (up to 600x600) would add minutes for no new op.
            Map.entry("efficientnet_b3", 96),
            Map.entry("efficientnet_b4", 96),
            Map.entry("efficientnet_b5", 96),
            Map.entry("efficientnet_b6", 96),
            Map.entry("efficientnet_b7", 96),
            Map.entry("efficientnet_v2_s", 96),
            Map.entry("efficientnet_v2_m", 96),
            Map.entry("efficientnet_v2_l", 96),
            // Likewise the RegNets of 8 GFLOPs and more.
            Map.entry("regnet_y_8gf", 96),
            Map.entry("regnet_y_16gf", 96),
            Map.entry("regnet_y_32gf", 96),
            Map.entry("regnet_x_8gf", 96),
            Map.entry("regnet_x_16gf", 96),
            Map.entry("regnet_x_32gf", 96),
            // ShuffleNet x0.5 and x1.0 run at 224; ConvNeXt's downsampling leaves 2x2 of a 64x64 input.
            Map.entry("shufflenet_v2_x1_5", 64),
            Map.entry("shufflenet_v2_x2_0", 64),
            Map.entry("convnext_tiny", 64),
            Map.entry("convnext_small", 64),
            Map.entry("convnext_base", 64),
            Map.entry("convnext_large", 64));
    private static ForkJoinPool pool;

    @BeforeAll
    static void startPool() {
        pool = new ForkJoinPool(THREADS);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdown();
    }

    static Set<String> architectures() {
        return PeerTestedArchitectures.names();
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void onnxRuntimeAgreesWithVecnn(String name) {
        Architecture arch = Architectures.get(name);
        Shape d = arch.defaultInput();
        int size = REDUCED_SIZES.getOrDefault(name, d.height());
        Shape input = new Shape(d.channels(), size, REDUCED_SIZES.getOrDefault(name, d.width()));
        Model vecnn = Model.of(
                        ModelConversion.convert(
                                SyntheticWeights.generate(arch, 7, arch.defaultNumClasses()), arch, input, "synth"),
                        pool)
                .withKernelSelection(KernelSelection.HEURISTIC);
        try (OnnxRuntimeEngine ort = OnnxRuntimeEngine.open(vecnn, THREADS)) {
            for (int batch = 1; batch <= 2; batch++) {
                float[] x = gaussian((int) (batch * input.size()), 100L * batch + name.hashCode());
                float[] expected = vecnn.run(x, batch);
                float[] actual = ort.run(x, batch);
                assertEquals(batch * arch.defaultNumClasses(), actual.length, "output size");
                double worst = 0;
                double scale = 0;
                for (int i = 0; i < expected.length; i++) {
                    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
                    scale = Math.max(scale, Math.abs(expected[i]));
                }
                double relative = worst / scale;
                System.out.printf(
                        "onnx export %-12s %s batch %d: max |ort - vecnn| / max |vecnn| = %.2e%n",
                        name, input, batch, relative);
                assertTrue(scale > 0, "VecNN's output is all zeros, nothing was compared");
                assertTrue(relative <= TOLERANCE, name + " at batch " + batch + ": relative difference " + relative);
            }
        }
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
