package io.vecnn.converter.torchfile;

import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tensor manifest shared with tensor_manifest.py: "key TAB DTYPE TAB d0,d1 TAB file" per line,
 * the file holding the values as little-endian float32.
 */
final class TensorManifest {

    record Entry(String key, DType dtype, int[] shape, float[] values) {}

    private TensorManifest() {}

    static List<Entry> read(Path dir) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("manifest.tsv"))) {
            String[] f = line.split("\t", -1);
            int[] shape = f[2].isEmpty()
                    ? new int[0]
                    : Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt).toArray();
            ByteBuffer raw =
                    ByteBuffer.wrap(Files.readAllBytes(dir.resolve(f[3]))).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[raw.remaining() / 4];
            raw.asFloatBuffer().get(values);
            entries.add(new Entry(f[0], DType.valueOf(f[1]), shape, values));
        }
        return entries;
    }

    static void write(StateDict stateDict, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, TorchTensor> e : stateDict.tensors().entrySet()) {
            TorchTensor t = e.getValue();
            String name = i++ + ".f32";
            ByteBuffer raw = ByteBuffer.allocate(t.data().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(t.data());
            Files.write(dir.resolve(name), raw.array());
            String shape = Arrays.stream(t.shape()).mapToObj(Integer::toString).collect(Collectors.joining(","));
            lines.add(e.getKey() + "\t" + t.dtype() + "\t" + shape + "\t" + name);
        }
        Files.write(dir.resolve("manifest.tsv"), lines);
    }

    /** Same keys in the same order, same dtypes and shapes, and bit-identical values (any NaN equals any NaN). */
    static void assertMatches(List<Entry> expected, StateDict actual) {
        assertEquals(expected.stream().map(Entry::key).toList(), List.copyOf(actual.keys()));
        for (Entry e : expected) {
            TorchTensor t = actual.get(e.key());
            assertNotNull(t, e.key());
            assertEquals(e.dtype(), t.dtype(), e.key());
            assertArrayEquals(e.shape(), t.shape(), e.key());
            for (int i = 0; i < e.values().length; i++) {
                if (Float.floatToIntBits(e.values()[i]) != Float.floatToIntBits(t.data()[i])) {
                    fail(e.key() + "[" + i + "] is " + t.data()[i] + ", PyTorch says " + e.values()[i]);
                }
            }
        }
    }
}
