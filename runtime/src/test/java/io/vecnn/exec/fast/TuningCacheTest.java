package io.vecnn.exec.fast;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.kernels.VectorIsa;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Measured kernel choices persist, are reused by later models, and a damaged or disabled cache is harmless. */
class TuningCacheTest {
    private static final Shape INPUT = new Shape(16, 48, 48);

    /** Stride-1 3x3 layers of 16 and more channels on 48x48 and 24x24 maps: Winograd and GEMM both compete. */
    private static ModelFile net() {
        return SmallNets.classifier(INPUT, new int[] {32, 32, 32}, 10, 8, Map.of());
    }

    @AfterEach
    void restore() {
        System.clearProperty("vecnn.tuning.cache");
    }

    @Test
    void choicesAreRecordedAndReused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tuning.json");
        System.setProperty("vecnn.tuning.cache", file.toString());
        float[] x = RandomTensors.gaussian(new Random(2), (int) INPUT.size(), 1);
        float[] first;
        String plan;
        try (Model model = Model.of(net())) {
            first = model.run(x, 1);
            plan = String.join("\n", model.plan(INPUT).describe());
        }
        String json = Files.readString(file);
        assertTrue(
                json.contains("|vectors=" + VectorIsa.describe() + "|tuner=4|threads=")
                        && json.contains("conv 16x48x48 -> 32x48x48 k3x3 s1 p1"),
                json);
        assertTrue(json.contains("winograd_f43") || json.contains("\"gemm\""), json);
        // Rewrite every choice to the other algorithm: a new model must follow the file, not re-measure.
        String flipped = json.replace("winograd_f43", "TMP")
                .replace("\"gemm\"", "\"winograd_f43\"")
                .replace("TMP", "gemm");
        Files.writeString(file, flipped);
        System.setProperty("vecnn.tuning.cache", dir.resolve("copy.json").toString());
        Files.writeString(dir.resolve("copy.json"), flipped);
        try (Model model = Model.of(net())) {
            String replanned = String.join("\n", model.plan(INPUT).describe());
            assertFalse(replanned.equals(plan), "the flipped choices were followed:\n" + replanned);
        }
        System.setProperty("vecnn.tuning.cache", file.toString());
        Files.writeString(file, json);
        try (Model model = Model.of(net())) {
            assertArrayEquals(first, model.run(x, 1));
        }
    }

    @Test
    void aDamagedOrDisabledCacheOnlyCostsTime(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tuning.json");
        Files.writeString(file, "{ not json");
        System.setProperty("vecnn.tuning.cache", file.toString());
        float[] x = RandomTensors.gaussian(new Random(3), (int) INPUT.size(), 1);
        try (Model model = Model.of(net())) {
            assertEquals(10, model.run(x, 1).length);
        }
        Path off = dir.resolve("never.json");
        System.setProperty("vecnn.tuning.cache", "off");
        try (Model model = Model.of(net())) {
            assertEquals(10, model.run(x, 1).length);
        }
        assertFalse(Files.exists(off));
    }
}
