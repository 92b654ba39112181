package io.vecnn.converter.safetensors;

import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.testing.CommittedSeeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The small safetensors files committed as seeds of {@link SafetensorsFuzzTest}, and the code that writes them. */
class SafetensorsFuzzSeedsTest {
    private static final Path INPUTS = Path.of("src/test/resources/io/vecnn/converter/safetensors");

    @TempDir
    Path dir;

    @Test
    void committedSeedsAreWhatTheWriterMakes() throws IOException {
        CommittedSeeds.check(INPUTS, seeds());
    }

    @Test
    void theSeedsAreReadWhole() throws IOException {
        for (Map.Entry<String, byte[]> seed : seeds().entrySet()) {
            Path file = Files.write(dir.resolve("read.safetensors"), seed.getValue());
            assertEquals(
                    Set.of("conv.weight", "conv.bias", "bn.num_batches_tracked"),
                    SafetensorsStateDicts.read(file, ReadProgress.NONE).keys(),
                    seed.getKey());
        }
    }

    private Map<String, byte[]> seeds() throws IOException {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        tensors.put(
                "conv.weight",
                new TorchTensor(DType.FLOAT32, new int[] {2, 1, 2, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8}));
        tensors.put("conv.bias", new TorchTensor(DType.FLOAT32, new int[] {2}, new float[] {-1, 1}));
        tensors.put("bn.num_batches_tracked", new TorchTensor(DType.INT64, new int[] {}, new float[] {3}));
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("SafetensorsFuzzTestInputs/read/seed-plain.safetensors", written(tensors, Map.of()));
        seeds.put("SafetensorsFuzzTestInputs/read/seed-metadata.safetensors", written(tensors, Map.of("format", "pt")));
        return seeds;
    }

    private byte[] written(Map<String, TorchTensor> tensors, Map<String, String> metadata) throws IOException {
        Path file = dir.resolve("seed.safetensors");
        SafetensorsStateDicts.write(new StateDict(tensors), file, metadata);
        return Files.readAllBytes(file);
    }
}
