package io.vecnn.converter.spec;

import io.vecnn.Model;
import io.vecnn.Tensor;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.testing.Comparison;
import io.vecnn.converter.testing.PythonTorch;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.npy.Npy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The seeds' own network variants, LeCun's tanh LeNet-5 and a network with every activation, each converted
 * from its spec in {@code specs/}, reproduce what PyTorch computes with the class as written (weights, inputs
 * and outputs from {@code seed_variants.py}), on the reference executor (the oracle the tolerance is defined
 * on) and on the fast path.
 */
class SeedVariantSpecsTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "seed001-cifar-alexnet",
                "seed001-cifar-vgg16",
                "seed001-cifar-googlenet",
                "seed001-googlenet-aux",
                "seed001-se-vgg",
                "seed002-googlenet96",
                "seed004-inception-v1",
                "lecun-lenet5-tanh",
                "activation-zoo"
            })
    void seedVariantConvertedFromItsSpecMatchesPyTorch(String variant) throws IOException {
        PythonTorch.require();
        Path fixtures = PythonTorch.fixtures("seed_variants.py");
        NetworkSpec spec = NetworkSpec.read(Path.of("specs", variant + ".json"));
        StateDict sd = WeightFiles.read(fixtures.resolve(variant + ".pth"));
        ModelFile model = ModelConversion.convert(sd, spec.architecture(sd), variant + ".pth");
        Npy.Array input = Npy.read(fixtures.resolve(variant + ".input.npy"));
        Npy.Array expected = Npy.read(fixtures.resolve(variant + ".expected.npy"));
        int[] s = input.shape();

        float[] actual = ReferenceExecutor.run(
                        model.graph(), model.weights(), Tensor.fromNchw(input.data(), s[0], s[1], s[2], s[3]))
                .toNchw();

        assertEquals(expected.data().length, actual.length, variant + ": output length");
        Comparison c = Comparison.of(actual, expected.data());
        System.out.printf("seed variant %-24s %s%n", variant, c);
        c.assertWithinTolerance(variant);

        try (Model fast = Model.of(model)) {
            Comparison f = Comparison.of(
                    fast.run(Tensor.fromNchw(input.data(), s[0], s[1], s[2], s[3]))
                            .toNchw(),
                    expected.data());
            System.out.printf("seed variant %-24s %s (fast path)%n", variant, f);
            f.assertWithinTolerance(variant + " on the fast path");
        }
    }
}
