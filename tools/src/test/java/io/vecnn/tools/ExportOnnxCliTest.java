package io.vecnn.tools;

import io.vecnn.modelfile.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.vecnn.tools.CliRun.vecnn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vecnn export --format onnx}: what lands on disk, and the option combinations it refuses. */
class ExportOnnxCliTest {
    @TempDir
    Path dir;

    private Path lenet() {
        Path pth = dir.resolve("w.pth");
        Path vnn = dir.resolve("m.vnn");
        assertEquals(
                0, vecnn("synth", "--arch", "lenet5", "--out", pth, "--seed", 3).exit());
        assertEquals(
                0,
                vecnn("convert", "--weights", pth, "--arch", "lenet5", "--out", vnn)
                        .exit());
        return vnn;
    }

    @Test
    void writesAnOnnxModelHoldingEveryWeight() throws IOException {
        Path vnn = lenet();
        Path onnx = dir.resolve("m.onnx");

        CliRun run = vecnn("export", "--format", "onnx", "--model", vnn, "--out", onnx);

        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("ONNX opset 13"), run.out());
        byte[] bytes = Files.readAllBytes(onnx);
        // A ModelProto starts with its ir_version field: tag 0x08 (field 1, varint), then the version.
        assertEquals(0x08, bytes[0]);
        assertEquals(7, bytes[1]);
        long weightBytes = ModelFile.read(vnn).weights().values().stream()
                .mapToLong(w -> 4L * w.data().length)
                .sum();
        assertTrue(bytes.length > weightBytes, bytes.length + " bytes cannot hold " + weightBytes + " of weights");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".partial")));
        }
    }

    @Test
    void refusesOptionsThatDoNotGoWithTheFormat() {
        Path vnn = lenet();
        Path onnx = dir.resolve("bad.onnx");

        CliRun weightsForOnnx = vecnn("export", "--format", "onnx", "--weights", dir.resolve("w.pth"), "--out", onnx);
        CliRun modelForSafetensors = vecnn("export", "--model", vnn, "--out", dir.resolve("bad.safetensors"));
        CliRun both =
                vecnn("export", "--format", "onnx", "--model", vnn, "--weights", dir.resolve("w.pth"), "--out", onnx);
        CliRun unknownFormat = vecnn("export", "--format", "tflite", "--model", vnn, "--out", onnx);

        for (CliRun run : new CliRun[] {weightsForOnnx, modelForSafetensors, both, unknownFormat}) {
            assertEquals(2, run.exit(), run.err());
        }
        assertTrue(weightsForOnnx.err().contains("--format onnx reads --model"), weightsForOnnx.err());
        assertTrue(
                modelForSafetensors.err().contains("--format safetensors reads --weights"), modelForSafetensors.err());
        assertFalse(Files.exists(onnx));
        assertFalse(Files.exists(dir.resolve("bad.safetensors")));
    }
}
