package io.vecnn.converter.arch;

import io.vecnn.VecnnException;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.modelfile.ModelFile;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyCheckTest {

    @Test
    void everyMissingUnexpectedAndMisshapedKeyIsListedInOneError() {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>(
                SyntheticWeights.generate(ResNet.resnet18(), 1, 1000).tensors());
        tensors.remove("layer2.0.bn1.running_var");
        tensors.put("head.extra.weight", new TorchTensor(DType.FLOAT32, new int[] {2}, new float[2]));
        tensors.put(
                "layer3.1.conv2.weight",
                new TorchTensor(DType.FLOAT32, new int[] {256, 128, 3, 3}, new float[256 * 128 * 9]));

        VecnnException e = assertThrows(
                VecnnException.class, () -> ModelConversion.convert(new StateDict(tensors), ResNet.resnet18(), "test"));

        assertEquals(
                "state dict does not match resnet18: 1 missing key(s): layer2.0.bn1.running_var; "
                        + "1 unexpected key(s): head.extra.weight; "
                        + "1 shape mismatch(es): layer3.1.conv2.weight is [256, 128, 3, 3], expected [256, 256, 3, 3]",
                e.getMessage());
    }

    /** Found by fuzzing: a spec's Linear after a flattened 21448x21448 map wanted a stand-in past int range. */
    @Test
    void aMissingWeightTooLargeToStandInForIsReportedAtOnce() {
        io.vecnn.converter.spec.NetworkSpec spec = io.vecnn.converter.spec.NetworkSpec.parse(
                "{\"name\": \"x\", \"input_size\": [3, 4, 4], \"layers\": [{\"conv\": \"c1\", \"padding\": 10723},"
                        + " \"flatten\", {\"linear\": \"fc\"}]}",
                "test.json");
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        tensors.put("c1.weight", new TorchTensor(DType.FLOAT32, new int[] {1, 3, 3, 3}, new float[27]));
        tensors.put("fc.weight", new TorchTensor(DType.FLOAT32, new int[] {10, 16}, new float[160]));
        StateDict sd = new StateDict(tensors);

        VecnnException e =
                assertThrows(VecnnException.class, () -> ModelConversion.convert(sd, spec.architecture(sd), "test"));

        assertTrue(
                e.getMessage()
                        .startsWith("state dict does not match x: 1 shape mismatch(es): fc.weight is [10, 16],"
                                + " expected [10, "),
                e.getMessage());
        assertTrue(
                e.getMessage()
                        .endsWith("to stand in for it would not fit in memory, so the keys after it were not"
                                + " checked"),
                e.getMessage());
        assertTrue(e.getMessage().contains("the check stopped at 'fc.weight': zeros of shape [10, "), e.getMessage());
    }

    /** VGG16's classifier asked of another network's file: too large to stand in for, and still the key lists. */
    @Test
    void aWrongArchitectureWithHugeLayersStillListsTheKeys() {
        StateDict resnet = SyntheticWeights.generate(ResNet.resnet18(), 1, 1000);
        VecnnException e =
                assertThrows(VecnnException.class, () -> ModelConversion.convert(resnet, VGG.vgg16(false), "test"));
        String message = e.getMessage();
        assertTrue(message.startsWith("state dict does not match vgg16: "), message);
        assertTrue(message.contains("missing key(s): features.0.weight, features.0.bias"), message);
        assertTrue(message.contains("key(s) not asked for: conv1.weight, bn1.weight"), message);
        assertTrue(message.contains("the check stopped at 'classifier."), message);
    }

    @Test
    void classifierWidthComesFromTheFile() {
        StateDict sd = SyntheticWeights.generate(ResNet.resnet18(), 1, 7);
        ModelFile model = ModelConversion.convert(sd, ResNet.resnet18(), "test");
        assertEquals(7, model.weights().get("fc.weight").shape()[0]);
    }

    @Test
    void wrongArchitectureIsReportedNotRun() {
        StateDict lenet = SyntheticWeights.generate(new LeNet5(), 1, 10);
        VecnnException e =
                assertThrows(VecnnException.class, () -> ModelConversion.convert(lenet, ResNet.resnet50(), "test"));
        assertTrue(e.getMessage().startsWith("state dict does not match resnet50: "), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected key(s): conv_layer.0.weight"), e.getMessage());
    }

    @Test
    void numBatchesTrackedMayBeAbsentAsInOldFiles() {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>(
                SyntheticWeights.generate(ResNet.resnet18(), 1, 10).tensors());
        tensors.keySet().removeIf(k -> k.endsWith("num_batches_tracked"));
        ModelConversion.convert(new StateDict(tensors), ResNet.resnet18(), "test");
    }
}
