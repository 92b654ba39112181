package io.vecnn.converter.arch;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.testing.Comparison;
import io.vecnn.npy.Npy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CIFAR-10 built-ins: the tutorial {@code Net} and the option-A ResNets, whose depths only their block
 * indices tell apart. Their outputs against PyTorch are in the conformance suite.
 */
class CifarArchitecturesTest {
    private static final Path AKAMASTER =
            Path.of("../../shared/fixtures/real/akamaster__pytorch_resnet_cifar10__resnet20-12fca82f.th");

    /** akamaster's published ResNet-20 (a DataParallel checkpoint, no num_batches_tracked), as users bring it. */
    @Test
    void thePublishedResNet20IsRecognisedAndMatchesPyTorch() {
        Assumptions.assumeTrue(Files.isRegularFile(AKAMASTER), "../shared/fixtures is absent: real-file check skipped");
        StateDict sd = WeightFiles.read(AKAMASTER);
        ArchitectureRecognition.Recognised recognised = ArchitectureRecognition.recognise(sd);
        assertEquals(
                "recognised resnet20 (CIFAR ResNet-20, BasicBlock blocks 3-3-3, option-A shortcuts): all 97 keys match",
                recognised.summary());

        Model model = Model.of(ModelConversion.convert(sd, recognised.architecture(), AKAMASTER.toString()));
        String stem = AKAMASTER.toString().replace(".th", "");
        Npy.Array input = Npy.read(Path.of(stem + ".input.npy"));
        Npy.Array expected = Npy.read(Path.of(stem + ".expected.npy"));
        Comparison c = Comparison.of(model.run(input.data(), input.shape()[0]), expected.data());
        System.out.println("akamaster resnet20 via the built-in: " + c);
        c.assertWithinTolerance("akamaster resnet20");
    }

    @Test
    void aResNet56ShortOfOneBlockIsNotTakenForAnotherDepth() {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>(
                SyntheticWeights.generate(Architectures.get("resnet56"), 1, 10).tensors());
        tensors.keySet().removeIf(k -> k.startsWith("layer3.8."));

        VecnnException e =
                assertThrows(VecnnException.class, () -> ArchitectureRecognition.recognise(new StateDict(tensors)));

        assertTrue(
                e.getMessage()
                        .contains("closest is resnet56 (CIFAR ResNet-56, BasicBlock blocks 9-9-9, option-A shortcuts): "
                                + "10 missing key(s): layer3.8.conv1.weight"),
                e.getMessage());
    }

    @Test
    void inputSizes() {
        assertEquals(
                new Shape(3, 32, 32), InputSizes.smallestSquare(new CifarNet()).orElseThrow());
        assertTrue(InputSizes.fits(new CifarNet(), new Shape(3, 35, 34)));
        assertFalse(InputSizes.fits(new CifarNet(), new Shape(3, 36, 36)));
        CifarResNet resnet20 = CifarResNet.of(20);
        assertEquals(new Shape(3, 1, 1), InputSizes.smallestSquare(resnet20).orElseThrow());
        assertTrue(InputSizes.fits(resnet20, new Shape(3, 33, 33)));
        // F.avg_pool2d(out, out.size()[3]) takes its window from the width: too wide for a flat map,
        // and on a tall one it leaves more than one pixel for the Linear.
        assertFalse(InputSizes.fits(resnet20, new Shape(3, 32, 40)));
        assertFalse(InputSizes.fits(resnet20, new Shape(3, 64, 32)));
    }

    @Test
    void depthsAre6nPlus2() {
        assertEquals(
                "CIFAR ResNet-1202, BasicBlock blocks 200-200-200, option-A shortcuts",
                Architectures.get("resnet1202").description());
        assertThrows(IllegalArgumentException.class, () -> CifarResNet.of(21));
    }
}
