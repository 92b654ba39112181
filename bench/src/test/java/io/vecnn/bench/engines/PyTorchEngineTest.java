package io.vecnn.bench.engines;

import ai.djl.pytorch.jni.JniUtils;
import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.bench.run.OutputCheck;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libtorch against VecNN on the same synthetic weights and input: every built-in architecture (but the largest
 * members of some families, see {@link PeerTestedArchitectures}) at batch 1 and 2. VecNN's fast path is itself tested against PyTorch (the conformance suite), so agreement here
 * means the peer runs the same network: same layouts, same flatten order, same pooling rules.
 */
class PyTorchEngineTest {
    private static final double TOLERANCE = 1e-4;
    private static final int THREADS = 2;
    private static final Map<String, Double> WORST = new ConcurrentSkipListMap<>();

    /**
     * Smaller inputs where an architecture takes them, to keep the suite quick. Defaults stay where they
     * matter: GoogLeNet (ceil-mode pools, the input affine), ResNet-18 (AdaptiveAvgPool 7×7 → 1×1) and
     * AlexNet (a flatten of 6×6 distinct pixels). VGG at 64 leaves 2×2 pixels for AdaptiveAvgPool 7×7 to
     * spread into overlapping bins, so its flatten permutation is tested on distinct pixels too. SqueezeNet keeps
     * its default size (ceil-mode pools that round up there). The CIFAR networks run at their 32x32. Of the RegNets
     * and MNASNets, RegNetX-400MF and MNASNet 1.0 run at their default size, the others at 64.
     */
    private static Shape inputSize(Architecture arch) {
        Shape d = arch.defaultInput();
        String name = arch.name();
        boolean imageNet = d.height() > 64;
        if (imageNet
                && (name.startsWith("vgg")
                        || name.startsWith("resnet") && !name.equals("resnet18")
                        || name.startsWith("resnext")
                        || name.startsWith("wide_resnet")
                        || name.startsWith("densenet")
                        || name.startsWith("efficientnet") && !name.equals("efficientnet_b0")
                        || name.startsWith("regnet") && !name.equals("regnet_x_400mf")
                        || name.startsWith("mnasnet") && !name.equals("mnasnet1_0"))) {
            return new Shape(d.channels(), 64, 64);
        }
        return name.equals("inception_v3") ? new Shape(d.channels(), 107, 107) : d;
    }

    @TestFactory
    Stream<DynamicTest> everyArchitectureMatchesVecnn() {
        return PeerTestedArchitectures.names().stream().map(name -> DynamicTest.dynamicTest(name, () -> check(name)));
    }

    /**
     * At batch 2 VecNN is compared with libtorch run image by image: libtorch 2.7.1's own batch-2 output
     * for GoogLeNet differs from its per-image outputs by 4.5 % on an AVX-512 EPYC (VecNN's batch-2 output
     * equals its per-image ones bit for bit and matches libtorch's per-image ones to 1e-6). The peer's
     * batch consistency is reported, not asserted; the bench refuses to time a peer whose outputs disagree.
     */
    private static boolean allFinite(float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static void check(String name) {
        Architecture arch = Architectures.get(name);
        ForkJoinPool pool = new ForkJoinPool(THREADS);
        try (Model model = model(arch, inputSize(arch), pool);
                PyTorchEngine torch = PyTorchEngine.open(model, THREADS)) {
            int imageSize = (int) model.inputShape().size();
            for (int batch = 1; batch <= 2; batch++) {
                float[] x = input(model.inputShape(), batch, name.hashCode() + batch);
                float[] vecnn = model.run(x, batch);
                int outSize = vecnn.length / batch;
                float[] perImage = new float[vecnn.length];
                assertTrue(allFinite(vecnn), name + ": VecNN's output is not finite");
                for (int b = 0; b < batch; b++) {
                    float[] image = Arrays.copyOfRange(x, b * imageSize, (b + 1) * imageSize);
                    float[] out = torch.run(image, 1);
                    if (!allFinite(out)) {
                        // Seen once in a full run (EfficientNet-V2-M, NaN from libtorch, not reproduced alone): the
                        // peer is run again and the retry reported; VecNN's own output was checked above.
                        System.out.printf("libtorch: %s gave a non-finite output, run again%n", name);
                        out = torch.run(image, 1);
                    }
                    System.arraycopy(out, 0, perImage, b * outSize, outSize);
                }
                double relative = relativeDifference(perImage, vecnn);
                WORST.merge(name, relative, Math::max);
                assertTrue(
                        relative <= TOLERANCE,
                        String.format(
                                "%s at %s, batch %d: max |torch - vecnn| is %.3g of max |vecnn|",
                                name, model.inputShape(), batch, relative));
                if (batch > 1) {
                    double torchBatch = relativeDifference(torch.run(x, batch), perImage);
                    if (torchBatch > TOLERANCE) {
                        System.out.printf(
                                "libtorch: %s batch %d differs from its own per-image outputs by %.3g%n",
                                name, batch, torchBatch);
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void oneAndTwoThreadEnginesCoexistInOneProcess() {
        Architecture arch = Architectures.get("resnet18");
        ForkJoinPool pool = new ForkJoinPool(THREADS);
        try (Model model = model(arch, new Shape(3, 64, 64), pool);
                PyTorchEngine one = PyTorchEngine.open(model, 1);
                PyTorchEngine two = PyTorchEngine.open(model, 2)) {
            float[] x = input(model.inputShape(), 1, 7);
            float[] expected = model.run(x, 1);
            for (PyTorchEngine engine : new PyTorchEngine[] {one, two, one, two}) {
                float[] y = engine.run(x, 1);
                assertEquals(
                        engine == one ? 1 : 2, JniUtils.getNumThreads(), "libtorch's intra-op threads after a run");
                assertTrue(relativeDifference(y, expected) <= TOLERANCE);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void namesItselfAndTheLibtorchVersion() {
        Architecture arch = Architectures.get("lenet5");
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model = model(arch, arch.defaultInput(), pool);
                PyTorchEngine torch = PyTorchEngine.open(model, 1)) {
            assertEquals("pytorch", torch.name());
            assertTrue(torch.version().matches("\\d+\\.\\d+\\.\\d+"), torch.version());
        } finally {
            pool.shutdown();
        }
    }

    @AfterAll
    static void report() {
        Function<Double, String> format = d -> String.format("%.2e", d);
        System.out.println("max |torch - vecnn| / max |vecnn| per architecture: "
                + new TreeMap<>(WORST)
                        .entrySet().stream()
                                .map(e -> e.getKey() + " " + format.apply(e.getValue()))
                                .toList());
    }

    private static Model model(Architecture arch, Shape input, ForkJoinPool pool) {
        return Model.of(
                        ModelConversion.convert(
                                SyntheticWeights.generate(arch, 1, arch.defaultNumClasses()), arch, input, "synth"),
                        pool)
                .withKernelSelection(KernelSelection.HEURISTIC);
    }

    private static float[] input(Shape shape, int batch, long seed) {
        return RandomTensors.gaussian(new SplittableRandom(seed), (int) (batch * shape.size()));
    }

    private static double relativeDifference(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, "output size");
        return OutputCheck.maxRelativeDifference(actual, expected);
    }
}
