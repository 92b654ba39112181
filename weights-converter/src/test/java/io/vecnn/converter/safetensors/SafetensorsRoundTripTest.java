package io.vecnn.converter.safetensors;

import io.vecnn.VecnnException;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.arch.LeNet5;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.WeightFormat;
import io.vecnn.converter.synth.SyntheticWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** What {@link SafetensorsStateDicts#write} writes reads back through the front door, and a cut file is refused. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void safetensorsReadBackGivesTheSameTensors() {
        StateDict sd = SyntheticWeights.generate(new LeNet5(), 9, 10);
        Path out = dir.resolve("w.safetensors");
        SafetensorsStateDicts.write(sd, out, Map.of());
        StateDict read = WeightFiles.read(out);
        assertEquals(WeightFormat.SAFETENSORS, read.format());
        assertEquals(sd.keys(), read.keys());
        sd.tensors().forEach((k, t) -> {
            assertArrayEquals(t.shape(), read.get(k).shape(), k);
            assertArrayEquals(t.data(), read.get(k).data(), k);
        });
    }

    @Test
    void truncatedSafetensorsIsRefusedAtEveryCut() throws IOException {
        StateDict sd = SyntheticWeights.generate(new LeNet5(), 9, 10);
        Path out = dir.resolve("w.safetensors");
        SafetensorsStateDicts.write(sd, out, Map.of());
        byte[] bytes = Files.readAllBytes(out);
        for (int len = 9; len < bytes.length; len += 997) {
            Path cut = dir.resolve("cut.safetensors");
            Files.write(cut, java.util.Arrays.copyOf(bytes, len));
            assertThrows(VecnnException.class, () -> WeightFiles.read(cut), "cut at " + len);
        }
    }
}
