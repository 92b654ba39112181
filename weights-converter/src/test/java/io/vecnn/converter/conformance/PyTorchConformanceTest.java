package io.vecnn.converter.conformance;

import io.vecnn.converter.testing.PythonTorch;

import io.vecnn.Model;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.npy.Npy;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.torchfile.TorchZipWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every built-in network against real PyTorch on the same weights: state dicts written by torch.save from
 * torchvision's (and seed 001's) own modules, converted and run by VecNN; and the other way round, files
 * VecNN synthesises loaded by PyTorch with {@code load_state_dict(strict=True)}.
 */
class PyTorchConformanceTest {
    private static final Map<String, Double> WORST = new ConcurrentHashMap<>();

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0} at batch {1}")
    @CsvSource({"lenet5,1", "lenet5,3", "resnet18,1", "resnet18,3", "resnet50,1", "resnet50,3"})
    void torchSavedStateDictMatchesPyTorch(String arch, int batch) throws IOException {
        PythonTorch.require();
        Path fixtures = PythonTorch.fixtures("conformance_fixtures.py");
        Architecture architecture = Architectures.get(arch);
        Path modelFile = temp.resolve(arch + ".vnn");
        ModelConversion.convert(WeightFiles.read(fixtures.resolve(arch + ".pth")), architecture, arch + ".pth")
                .write(modelFile);
        Npy.Array input = Npy.read(fixtures.resolve(arch + ".input" + batch + ".npy"));
        Npy.Array expected = Npy.read(fixtures.resolve(arch + ".expected" + batch + ".npy"));

        float[] actual = Model.load(modelFile).run(input.data(), batch);

        record(arch + " batch " + batch, Comparison.of(actual, expected.data()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet18", "resnet50"})
    void synthesisedFileLoadsStrictlyInPyTorchAndMatches(String arch) throws IOException {
        PythonTorch.require();
        Architecture architecture = Architectures.get(arch);
        Path pth = temp.resolve(arch + ".pth");
        TorchZipWriter.write(SyntheticWeights.generate(architecture, 11, 7), pth);
        var shape = architecture.defaultInput();
        int batch = 2;
        float[] x = new float[(int) (batch * shape.size())];
        var random = new java.util.SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Path input = temp.resolve("input.npy");
        Npy.write(input, new int[] {batch, shape.channels(), shape.height(), shape.width()}, x);
        Path output = temp.resolve("torch.npy");

        PythonTorch.script("run_state_dict.py", arch, pth.toString(), input.toString(), output.toString());

        float[] ours = Model.of(ModelConversion.convert(WeightFiles.read(pth), architecture, "synth")).run(x, batch);
        record(arch + " synthesised, 7 classes", Comparison.of(ours, Npy.read(output).data()));
    }

    private static void record(String name, Comparison c) {
        WORST.put(name, c.relative());
        System.out.printf("conformance %-28s max |ours - torch| %.3g = %.3g of max |torch| %.3g%n", name,
                c.maxAbsDiff(), c.relative(), c.maxAbsExpected());
        c.assertWithinTolerance(name);
    }

    @AfterAll
    static void summary() {
        System.out.println("conformance: " + WORST.size() + " cases ran against PyTorch"
                + (WORST.isEmpty() ? " (skipped: PyTorch missing)" : ""));
        new TreeMap<>(WORST).forEach((k, v) -> System.out.printf("conformance:   %-28s relative error %.3g%n", k, v));
    }
}
