package io.vecnn.converter;

import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.safetensors.SafetensorsStateDicts;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.torchfile.TorchZipWriter;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a progress display is told adds up to (nearly) the whole file, whatever its format. */
class ReadProgressTest {
    @TempDir
    Path dir;

    private static void assertCoversFile(Path file) throws IOException {
        AtomicLong seen = new AtomicLong();
        WeightFiles.read(file, seen::addAndGet);
        long size = Files.size(file);
        assertTrue(
                seen.get() >= 0.9 * size && seen.get() <= size,
                file.getFileName() + ": progress reported " + seen.get() + " of " + size + " bytes");
    }

    @Test
    void zipAndSafetensorsReadsReportTheirBytes() throws IOException {
        StateDict sd = SyntheticWeights.generate(Architectures.get("resnet18"), 1, 1000);
        Path pth = dir.resolve("w.pth");
        TorchZipWriter.write(sd, pth);
        assertCoversFile(pth);
        Path st = dir.resolve("w.safetensors");
        SafetensorsStateDicts.write(sd, st, Map.of());
        assertCoversFile(st);
    }

    @Test
    void legacyReadReportsItsBytes() throws IOException {
        Path legacy = Path.of("../../shared/fixtures/real/akamaster__pytorch_resnet_cifar10__resnet20-12fca82f.th");
        Assumptions.assumeTrue(Files.exists(legacy), "../shared/fixtures is absent: legacy progress check skipped");
        assertCoversFile(legacy);
    }
}
