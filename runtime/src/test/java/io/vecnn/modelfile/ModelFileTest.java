package io.vecnn.modelfile;

import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileTest {
    @TempDir
    Path dir;

    /** A graph using every op kind, so the codec round trip covers them all. */
    static ModelFile everyOp() {
        List<Node> nodes = new ArrayList<>(List.of(
                new Node(
                        "conv",
                        new Op.Conv2d(4, 3, 1, 2, 1, 1, 0, 1, 2, 2, "conv.weight", "conv.bias"),
                        List.of("input"),
                        "conv"),
                new Node("bn", new Op.ChannelAffine("bn.scale", "bn.shift"), List.of("conv"), "bn"),
                new Node("relu", new Op.Relu(), List.of("bn"), "relu")));
        String last = "relu";
        for (ActivationFunction f : ActivationFunction.values()) {
            nodes.add(new Node(f.kind(), new Op.Activation(f), List.of(last), f.kind()));
            last = f.kind();
        }
        nodes.addAll(List.of(
                new Node("max", new Op.MaxPool2d(3, 3, 1, 1, 1, 1, true), List.of(last), "max"),
                new Node("avg", new Op.AvgPool2d(3, 3, 1, 1, 1, 1, false, true), List.of(last), "avg"),
                new Node("add", new Op.Add(), List.of("max", "avg"), "add"),
                new Node("gate", new Op.AdaptiveAvgPool2d(1, 1), List.of("add"), "gate"),
                new Node("se", new Op.ScaleChannels(), List.of("add", "gate"), "se"),
                new Node("cat", new Op.Concat(), List.of("se", "relu"), "cat"),
                new Node("lo", new Op.ChannelSlice(0, 3), List.of("cat"), "lo"),
                new Node("hi", new Op.ChannelSlice(3, 8), List.of("cat"), "hi"),
                new Node("swap", new Op.Concat(), List.of("hi", "lo"), "swap"),
                new Node("shuffle", new Op.ChannelShuffle(4), List.of("swap"), "shuffle"),
                new Node("ln", new Op.LayerNorm(1e-6, "ln.weight", "ln.bias"), List.of("shuffle"), "ln"),
                new Node("pool", new Op.AdaptiveAvgPool2d(2, 3), List.of("ln"), "pool"),
                new Node("flat", new Op.Flatten(), List.of("pool"), "flat"),
                new Node("fc", new Op.Linear(5, "fc.weight", null), List.of("flat"), "fc"),
                new Node("logprob", new Op.LogSoftmax(), List.of("fc"), "logprob"),
                new Node("prob", new Op.Softmax(), List.of("logprob"), "prob")));
        Map<String, WeightTensor> weights = new LinkedHashMap<>();
        weights.put("conv.weight", new WeightTensor(new int[] {4, 3, 1, 1}, floats(12)));
        weights.put("conv.bias", WeightTensor.vector(floats(4)));
        weights.put("bn.scale", WeightTensor.vector(floats(4)));
        weights.put("bn.shift", WeightTensor.vector(floats(4)));
        weights.put("ln.weight", WeightTensor.vector(floats(8)));
        weights.put("ln.bias", WeightTensor.vector(floats(8)));
        weights.put("fc.weight", new WeightTensor(new int[] {5, 48}, floats(240)));
        return new ModelFile(
                new Graph("input", new Shape(2, 9, 8), nodes, "prob"),
                weights,
                List.of("a", "b", "c", "d", "e"),
                Map.of("source", "test"));
    }

    private static float[] floats(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) Math.sin(i + 1.5);
        }
        return f;
    }

    @Test
    void roundTripKeepsGraphWeightsLabelsAndProvenance() {
        ModelFile model = everyOp();
        Path path = dir.resolve("m.vnn");
        model.write(path);
        ModelFile read = ModelFile.read(path);
        assertEquals(model.graph(), read.graph());
        assertEquals(model.labels(), read.labels());
        assertEquals(model.provenance(), read.provenance());
        assertEquals(ModelFile.RUNTIME_WRITER, read.writer());
        assertEquals(model.weights().keySet(), read.weights().keySet());
        model.weights().forEach((k, v) -> {
            assertArrayEquals(v.shape(), read.weights().get(k).shape(), k);
            assertArrayEquals(v.data(), read.weights().get(k).data(), k);
        });
    }

    @Test
    void fileIsPlainSafetensorsWithAlignedData() throws IOException {
        Path path = dir.resolve("m.vnn");
        everyOp().write(path);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = b.getLong(0);
        assertEquals(0, (8 + headerLen) % 8, "data section is 8-byte aligned");
        String header = new String(b.array(), 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"vecnn\""), header);
        assertTrue(
                header.contains("\"conv.weight\":{\"dtype\":\"F32\",\"shape\":[4,3,1,1],\"data_offsets\":[0,48]}"),
                header);
    }

    @Test
    void everyTruncationIsRefusedWithAVecnnException() throws IOException {
        Path path = dir.resolve("m.vnn");
        everyOp().write(path);
        byte[] bytes = Files.readAllBytes(path);
        for (int len : new int[] {0, 4, 8, 9, 100, bytes.length / 2, bytes.length - 4, bytes.length - 1}) {
            Path cut = dir.resolve("cut" + len + ".vnn");
            Files.write(cut, java.util.Arrays.copyOf(bytes, len));
            assertThrows(VecnnException.class, () -> ModelFile.read(cut), "cut at " + len);
        }
    }

    @Test
    void overlappingTensorsAreNamed() throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        Path path = writeRaw(header, 12);
        VecnnException e = assertThrows(VecnnException.class, () -> ModelFile.read(path));
        assertTrue(e.getMessage().contains("'a' and 'b' overlap"), e.getMessage());
    }

    @Test
    void shapeThatDisagreesWithByteRangeIsNamed() throws IOException {
        Path path = writeRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        VecnnException e = assertThrows(VecnnException.class, () -> ModelFile.read(path));
        assertTrue(e.getMessage().contains("tensor 'a' has shape [3] of F32 but 8 bytes"), e.getMessage());
    }

    @Test
    void plainSafetensorsIsNotTakenForAModel() throws IOException {
        Path path = writeRaw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        VecnnException e = assertThrows(VecnnException.class, () -> ModelFile.read(path));
        assertTrue(e.getMessage().contains("not a VecNN model"), e.getMessage());
    }

    @Test
    void newerFormatVersionIsRefused() throws IOException {
        Path path = writeRaw(
                "{\"__metadata__\":{\"format\":\"vecnn\",\"vecnn.format_version\":\"99\",\"vecnn.graph\":\"{}\"}}", 0);
        VecnnException e = assertThrows(VecnnException.class, () -> ModelFile.read(path));
        assertTrue(
                e.getMessage()
                        .contains("model format version 99 is newer than this runtime supports (2); upgrade VecNN"),
                e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        VecnnException e = assertThrows(VecnnException.class, () -> ModelFile.read(dir.resolve("nope.vnn")));
        assertTrue(e.getMessage().contains("nope.vnn"), e.getMessage());
    }

    private Path writeRaw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path path = dir.resolve("raw" + System.nanoTime() + ".safetensors");
        Files.write(path, b.array());
        return path;
    }
}
