package io.vecnn.converter.spec;

import io.vecnn.Model;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.testing.Comparison;
import io.vecnn.npy.Npy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The real third-party files of {@code ../shared/fixtures/real}, each converted from the spec in
 * {@code specs/} that describes its network, reproduce what PyTorch computed with the owner's own code.
 */
class RealFixtureSpecsTest {
    private static final Path REAL = Path.of("../../shared/fixtures/real");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "Bill-Cai__LeNet__lenet.pth, bill-cai-lenet.json",
        "FYH620__lenet-mnist-openvino__lenet.pth, fyh620-lenet5.json",
        "sakgoyal__LeNet-FPGA-HLS__lenet_fp16.pth, sakgoyal-lenet-avgpool.json",
        "00arun00__Pruning-Pytorch__lenet.pth, pruning-lenet.json",
        "akamaster__pytorch_resnet_cifar10__resnet20-12fca82f.th, cifar-resnet20.json"
    })
    void realFileConvertedFromItsSpecMatchesPyTorch(String file, String specFile) {
        Assumptions.assumeTrue(Files.isDirectory(REAL), "../shared/fixtures is absent: real-file checks skipped");
        Path weights = REAL.resolve(file);
        String stem = file.substring(0, file.lastIndexOf('.'));
        NetworkSpec spec = NetworkSpec.read(Path.of("specs", specFile));
        StateDict sd = WeightFiles.read(weights);

        Model model = Model.of(ModelConversion.convert(sd, spec.architecture(sd), file));
        Npy.Array input = Npy.read(REAL.resolve(stem + ".input.npy"));
        Npy.Array expected = Npy.read(REAL.resolve(stem + ".expected.npy"));
        float[] actual = model.run(input.data(), input.shape()[0]);

        assertArrayEquals(expected.shape(), new int[] {input.shape()[0], actual.length / input.shape()[0]});
        Comparison c = Comparison.of(actual, expected.data());
        System.out.printf("real fixture %-58s %s%n", file, c);
        c.assertWithinTolerance(file);
    }
}
