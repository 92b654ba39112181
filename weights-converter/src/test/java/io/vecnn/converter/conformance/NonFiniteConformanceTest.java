package io.vecnn.converter.conformance;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.arch.TransformInput;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.testing.Comparison;
import io.vecnn.converter.testing.PythonTorch;
import io.vecnn.converter.torchfile.TorchZipWriter;
import io.vecnn.npy.Npy;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * NaN and ±∞ in the input against real PyTorch: a batch of one image with NaN, one with +∞, one with -∞ (each
 * at a few pixels) and a clean one, through torchvision's own module and through VecNN's reference executor
 * and fast path. Every output PyTorch makes NaN or infinite must be the same on both paths, and the rest
 * within the conformance tolerance.
 */
class NonFiniteConformanceTest {
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    @TempDir
    static Path temp;

    @ParameterizedTest(name = "{0} at 3x{1}x{1}")
    @CsvSource({"alexnet,63", "googlenet,64", "resnet18,64"})
    void nanAndInfinityReachTheOutputsTheyReachInPyTorch(String name, int size) {
        PythonTorch.require();
        Architecture arch = Architectures.get(name);
        Path pth = temp.resolve(name + ".pth");
        TorchZipWriter.write(SyntheticWeights.generate(arch, 13, 7), pth);
        Shape shape = new Shape(3, size, size);
        int batch = 4;
        int per = (int) shape.size();
        SplittableRandom random = new SplittableRandom(9);
        float[] x = RandomTensors.gaussian(random, batch * per);
        for (int image = 0; image < SPECIALS.length; image++) {
            for (int j = 0; j < 3; j++) {
                x[image * per + random.nextInt(per)] = SPECIALS[image];
            }
        }
        Path input = temp.resolve(name + "-input.npy");
        Npy.write(input, new int[] {batch, 3, size, size}, x);
        Path output = temp.resolve(name + "-torch.npy");
        boolean transform = arch instanceof TransformInput t && t.transformInput();
        PythonTorch.script("run_state_dict.py", name, pth, input, output, transform ? 1 : 0);
        float[] torch = Npy.read(output).data();

        try (Model model = Model.of(ModelConversion.convert(WeightFiles.read(pth), arch, shape, "synth"))) {
            Tensor in = Tensor.fromNchw(x, batch, 3, size, size);
            assertMatches(name + " reference", model.runReference(in).toNchw(), torch);
            assertMatches(name + " fast path", model.run(in).toNchw(), torch);
        }
    }

    private static void assertMatches(String what, float[] ours, float[] torch) {
        assertEquals(torch.length, ours.length, what + ": output length");
        double scale = 0;
        for (float t : torch) {
            if (Float.isFinite(t)) {
                scale = Math.max(scale, Math.abs(t));
            }
        }
        int nonFinite = 0;
        for (int i = 0; i < torch.length; i++) {
            if (!Float.isFinite(torch[i])) {
                nonFinite++;
                if (Float.compare(torch[i], ours[i]) != 0) {
                    fail(what + ": output " + i + " is " + ours[i] + ", PyTorch's " + torch[i]);
                }
            } else if (!(Math.abs(ours[i] - torch[i]) <= Comparison.TOLERANCE * scale)) {
                fail(what + ": output " + i + " is " + ours[i] + ", PyTorch's " + torch[i]);
            }
        }
        System.out.printf(
                "non-finite conformance %-28s %d of %d outputs NaN or infinite, as in PyTorch%n",
                what, nonFinite, torch.length);
        assertTrue(nonFinite > 0, what + ": the poisoned images reached no output");
        assertTrue(nonFinite < torch.length, what + ": the clean image's outputs are NaN too");
    }
}
