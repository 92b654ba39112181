package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.synth.SyntheticWeights;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --arch auto}, and which input sizes each architecture takes. */
class RecognitionTest {

    @Test
    void everyBuiltInIsRecognisedByItsKeysWithOrWithoutOptionalOnes() {
        for (String name : Architectures.names()) {
            ExpectedKeys keys = DryBuild.keys(Architectures.get(name));
            Map<String, TorchTensor> all = new LinkedHashMap<>();
            keys.keys().forEach(k -> all.put(k, scalar()));
            keys.optional().forEach(k -> all.put(k, scalar()));
            // Keys alone name the architecture, or a member with the same keys (EfficientNet-B1 and B2, told
            // apart by their widths below).
            assertEquals(
                    keys.keys(),
                    DryBuild.keys(ArchitectureRecognition.recognise(new StateDict(all))
                                    .architecture())
                            .keys(),
                    name);

            Map<String, TorchTensor> bare = new LinkedHashMap<>(all);
            bare.keySet()
                    .removeIf(k -> keys.optional().contains(k)
                            || keys.modules().stream().anyMatch(m -> k.startsWith(m + ".")));
            assertEquals(
                    keys.keys(),
                    DryBuild.keys(ArchitectureRecognition.recognise(new StateDict(bare))
                                    .architecture())
                            .keys(),
                    name);
        }
    }

    @Test
    void efficientNetB1AndB2HaveTheSameKeysAndAreToldApartByWidth() {
        StateDict b1 = SyntheticWeights.generate(EfficientNet.b(1), 1, 10);
        StateDict b2 = SyntheticWeights.generate(EfficientNet.b(2), 1, 10);
        assertEquals(b1.keys(), b2.keys());
        assertEquals(
                "efficientnet_b1",
                ArchitectureRecognition.recognise(b1).architecture().name());
        assertEquals(
                "efficientnet_b2",
                ArchitectureRecognition.recognise(b2).architecture().name());
    }

    @Test
    void shuffleNetV2MembersHaveTheSameKeysAndAreToldApartByWidth() {
        List<String> members =
                List.of("shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5", "shufflenet_v2_x2_0");
        Set<String> keys = null;
        for (String name : members) {
            StateDict weights = SyntheticWeights.generate(Architectures.get(name), 1, 10);
            if (keys != null) {
                assertEquals(keys, weights.keys(), name);
            }
            keys = weights.keys();
            assertEquals(
                    name,
                    ArchitectureRecognition.recognise(weights).architecture().name());
        }
    }

    /**
     * ConvNeXt small, base and large have the same keys (tiny has fewer blocks): told apart by the stem's width. The
     * files are keys with one-value stand-ins, all but the stem: base and large would be 0.35 and 0.8 GB.
     */
    @Test
    void convNeXtMembersAreToldApartByDepthAndWidth() {
        Map<String, Integer> stems = new LinkedHashMap<>();
        stems.put("convnext_tiny", 96);
        stems.put("convnext_small", 96);
        stems.put("convnext_base", 128);
        stems.put("convnext_large", 192);
        Set<String> smallKeys =
                DryBuild.keys(Architectures.get("convnext_small")).keys();
        for (var member : stems.entrySet()) {
            Architecture arch = Architectures.get(member.getKey());
            Map<String, TorchTensor> tensors = new LinkedHashMap<>();
            for (String key : DryBuild.keys(arch).keys()) {
                tensors.put(key, scalar());
            }
            tensors.put(
                    "features.0.0.weight",
                    new TorchTensor(
                            DType.FLOAT32, new int[] {member.getValue(), 3, 4, 4}, new float[member.getValue() * 48]));
            if (!member.getKey().equals("convnext_tiny")) {
                assertEquals(smallKeys, tensors.keySet(), member.getKey());
            }
            assertEquals(
                    member.getKey(),
                    ArchitectureRecognition.recognise(new StateDict(tensors))
                            .architecture()
                            .name());
        }
    }

    @Test
    void recognitionSaysWhatItFound() {
        StateDict resnet50 = SyntheticWeights.generate(ResNet.resnet50(), 1, 1000);
        assertEquals(
                "recognised resnet50 (ResNet-50, Bottleneck blocks 3-4-6-3): all 320 keys match",
                ArchitectureRecognition.recognise(resnet50).summary());
    }

    @Test
    void anUnrecognisedFileGetsTheClosestMatchAndWhatDiffers() {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>(
                SyntheticWeights.generate(ResNet.resnet18(), 1, 10).tensors());
        tensors.remove("fc.bias");
        tensors.put("head.weight", scalar());

        VecnnException e =
                assertThrows(VecnnException.class, () -> ArchitectureRecognition.recognise(new StateDict(tensors)));

        assertTrue(
                e.getMessage()
                        .startsWith("no built-in architecture has the keys of this state dict; closest is "
                                + "resnet18 (ResNet-18, BasicBlock blocks 2-2-2-2): 1 missing key(s): fc.bias; "
                                + "1 unexpected key(s): head.weight; next: "),
                e.getMessage());
        // Runners-up by the number of keys that differ: the CIFAR ResNet-20 is nearer than ResNet-34.
        assertTrue(e.getMessage().contains("resnet34 (82 keys differ)"), e.getMessage());
    }

    @Test
    void smallestInputsAreTorchvisionsMinSizes() {
        Map<String, Integer> torchvision = Map.of(
                "lenet5",
                32,
                "alexnet",
                63,
                "vgg11",
                32,
                "vgg19_bn",
                32,
                "googlenet",
                15,
                "resnet18",
                1,
                "resnet152",
                1,
                "inception_v3",
                75);
        torchvision.forEach((name, size) -> assertEquals(
                new Shape(3, size, size),
                InputSizes.smallestSquare(Architectures.get(name)).orElseThrow(),
                name));
    }

    @Test
    void aFlattenBeforeAFixedLinearFixesTheInputSize() {
        LeNet5 lenet = new LeNet5();
        assertTrue(InputSizes.fits(lenet, new Shape(3, 33, 32)));
        assertFalse(InputSizes.fits(lenet, new Shape(3, 64, 64)));
        assertTrue(InputSizes.fits(new AlexNet(), new Shape(3, 300, 200)));
    }

    private static TorchTensor scalar() {
        return new TorchTensor(DType.FLOAT32, new int[] {1}, new float[1]);
    }
}
