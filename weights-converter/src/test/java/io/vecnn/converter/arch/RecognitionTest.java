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
    void resNet50ResNeXt50AndWideResNet50HaveTheSameKeysAndAreToldApartByWidth() {
        Map<String, StateDict> files = new LinkedHashMap<>();
        for (String name : new String[] {"resnet50", "resnext50_32x4d", "wide_resnet50_2"}) {
            files.put(name, SyntheticWeights.generate(Architectures.get(name), 1, 10));
        }
        files.values().forEach(f -> assertEquals(files.get("resnet50").keys(), f.keys()));
        files.forEach((name, file) -> assertEquals(
                name, ArchitectureRecognition.recognise(file).architecture().name()));
    }

    @Test
    void theDeeperResNeXtsAndWideResNetAreToldApartByWidth() {
        for (String name : new String[] {"resnet101", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet101_2"}) {
            StateDict file = SyntheticWeights.generate(Architectures.get(name), 1, 10);
            assertEquals(
                    name, ArchitectureRecognition.recognise(file).architecture().name());
        }
    }

    @Test
    void mnasNetMembersHaveTheSameKeysAndAreToldApartByWidth() {
        List<MNASNet> members =
                List.of(MNASNet.mnasnet0_5(), MNASNet.mnasnet0_75(), MNASNet.mnasnet1_0(), MNASNet.mnasnet1_3());
        StateDict first = SyntheticWeights.generate(members.get(0), 1, 10);
        for (MNASNet member : members) {
            StateDict weights = SyntheticWeights.generate(member, 1, 10);
            assertEquals(first.keys(), weights.keys(), member.name());
            assertEquals(
                    member.name(),
                    ArchitectureRecognition.recognise(weights).architecture().name());
        }
    }

    /**
     * No two of torchvision's RegNets have the same block counts, so their keys differ; their widths are
     * checked all the same: a file with RegNetX-400MF's keys and RegNetX-800MF's widths is neither.
     */
    @Test
    void regNetsAreToldApartByKeysAndTheirWidthsAreChecked() {
        List<String> regNets = Architectures.names().stream()
                .filter(n -> n.startsWith("regnet_"))
                .toList();
        assertEquals(14, regNets.size());
        assertEquals(
                regNets.size(),
                regNets.stream()
                        .map(n -> DryBuild.keys(Architectures.get(n)).keys())
                        .distinct()
                        .count());
        StateDict x400 = SyntheticWeights.generate(RegNet.x400mf(), 1, 10);
        assertTrue(RegNet.x400mf().hasWidthsOf(x400));
        assertFalse(RegNet.x800mf().hasWidthsOf(x400));

        Map<String, TorchTensor> widened = new LinkedHashMap<>(x400.tensors());
        widened.put(
                "trunk_output.block2.block2-0.f.c.0.weight",
                new TorchTensor(DType.FLOAT32, new int[] {128, 64, 1, 1}, new float[128 * 64]));
        assertFalse(RegNet.x400mf().hasWidthsOf(new StateDict(widened)));
    }

    /** torchvision 0.14's {@code BlockParams.from_init_params} for every member, as PyTorch computes it. */
    @Test
    void regNetStagesAreTorchvisions() {
        Map<String, String> torchvision = new LinkedHashMap<>();
        torchvision.put("regnet_y_400mf", "depths [1, 3, 6, 6], widths [48, 104, 208, 440], group widths [8, 8, 8, 8]");
        torchvision.put(
                "regnet_y_800mf", "depths [1, 3, 8, 2], widths [64, 144, 320, 784], group widths [16, 16, 16, 16]");
        torchvision.put(
                "regnet_y_1_6gf", "depths [2, 6, 17, 2], widths [48, 120, 336, 888], group widths [24, 24, 24, 24]");
        torchvision.put(
                "regnet_y_3_2gf", "depths [2, 5, 13, 1], widths [72, 216, 576, 1512], group widths [24, 24, 24, 24]");
        torchvision.put(
                "regnet_y_8gf", "depths [2, 4, 10, 1], widths [224, 448, 896, 2016], group widths [56, 56, 56, 56]");
        torchvision.put(
                "regnet_y_16gf",
                "depths [2, 4, 11, 1], widths [224, 448, 1232, 3024], group widths [112, 112, 112, 112]");
        torchvision.put(
                "regnet_y_32gf",
                "depths [2, 5, 12, 1], widths [232, 696, 1392, 3712], group widths [232, 232, 232, 232]");
        torchvision.put(
                "regnet_x_400mf", "depths [1, 2, 7, 12], widths [32, 64, 160, 400], group widths [16, 16, 16, 16]");
        torchvision.put(
                "regnet_x_800mf", "depths [1, 3, 7, 5], widths [64, 128, 288, 672], group widths [16, 16, 16, 16]");
        torchvision.put(
                "regnet_x_1_6gf", "depths [2, 4, 10, 2], widths [72, 168, 408, 912], group widths [24, 24, 24, 24]");
        torchvision.put(
                "regnet_x_3_2gf", "depths [2, 6, 15, 2], widths [96, 192, 432, 1008], group widths [48, 48, 48, 48]");
        torchvision.put(
                "regnet_x_8gf", "depths [2, 5, 15, 1], widths [80, 240, 720, 1920], group widths [80, 120, 120, 120]");
        torchvision.put(
                "regnet_x_16gf",
                "depths [2, 6, 13, 1], widths [256, 512, 896, 2048], group widths [128, 128, 128, 128]");
        torchvision.put(
                "regnet_x_32gf",
                "depths [2, 7, 13, 1], widths [336, 672, 1344, 2520], group widths [168, 168, 168, 168]");
        torchvision.forEach((name, stages) ->
                assertEquals(stages, ((RegNet) Architectures.get(name)).stages().toString(), name));
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
        Map<String, Integer> torchvision = Map.ofEntries(
                Map.entry("lenet5", 32),
                Map.entry("alexnet", 63),
                Map.entry("vgg11", 32),
                Map.entry("vgg19_bn", 32),
                Map.entry("googlenet", 15),
                Map.entry("resnet18", 1),
                Map.entry("resnet152", 1),
                Map.entry("inception_v3", 75),
                Map.entry("resnext50_32x4d", 1),
                Map.entry("wide_resnet101_2", 1),
                Map.entry("squeezenet1_0", 21),
                Map.entry("squeezenet1_1", 17),
                Map.entry("densenet121", 29),
                Map.entry("densenet161", 29));
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
}
