package io.vecnn.converter;

import io.vecnn.converter.arch.ArchitectureRecognition;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.torchfile.TorchZipWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * torchvision's published DenseNet weights name a dense layer's modules {@code norm.1} ... {@code conv.2};
 * they are read as torchvision's loader reads them, with today's {@code norm1} ... {@code conv2}.
 */
class OldDenseNetKeysTest {
    @TempDir
    Path dir;

    @Test
    void oldDenseLayerKeysAreRenamedAndTheFileIsRecognised() {
        StateDict modern = SyntheticWeights.generate(Architectures.get("densenet121"), 1, 10);
        // Those files predate num_batches_tracked, too.
        List<String> expected = modern.keys().stream()
                .filter(k -> !k.endsWith(".num_batches_tracked"))
                .toList();
        Map<String, TorchTensor> old = new LinkedHashMap<>();
        expected.forEach(
                k -> old.put(k.replaceFirst("(denselayer\\d+\\.(norm|conv))([12])\\.", "$1.$3."), modern.get(k)));
        long renamed = expected.stream().filter(k -> !old.containsKey(k)).count();
        assertTrue(old.containsKey("features.denseblock1.denselayer1.norm.1.running_var"));
        assertTrue(old.containsKey("features.denseblock4.denselayer16.conv.2.weight"));
        Path pth = dir.resolve("densenet121-a639ec97.pth");
        TorchZipWriter.write(new StateDict(old), pth);

        StateDict read = WeightFiles.read(pth);

        assertEquals(58 * 10, renamed, "2 BatchNorms of 4 tensors and 2 convolutions in each of 58 layers");
        assertEquals(expected, List.copyOf(read.keys()));
        assertTrue(
                read.notes()
                        .contains("renamed " + renamed
                                + " keys of torchvision's old DenseNet form ('norm.1' to 'norm1'), "
                                + "as its loader does"),
                read.notes().toString());
        assertEquals(
                "densenet121",
                ArchitectureRecognition.recognise(read).architecture().name());
    }

    @Test
    void otherFilesAreLeftAsTheyAre() {
        StateDict resnet = SyntheticWeights.generate(Architectures.get("resnet18"), 1, 10);
        assertSame(resnet, WeightFiles.renameOldDenseNetKeys(resnet));
    }
}
