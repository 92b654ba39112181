package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchZipRoundTripTest {

    static StateDict sample() {
        Map<String, TorchTensor> t = new LinkedHashMap<>();
        t.put("conv1.weight", new TorchTensor(DType.FLOAT32, new int[] {2, 1, 3, 3}, TestZips.range(18)));
        t.put("conv1.bias", new TorchTensor(DType.FLOAT32, new int[] {2}, new float[] {-0.5f, Float.MIN_VALUE}));
        t.put("bn.num_batches_tracked", new TorchTensor(DType.INT64, new int[] {}, new float[] {12345}));
        t.put("scale", new TorchTensor(DType.FLOAT32, new int[] {}, new float[] {Float.NaN}));
        t.put("empty", new TorchTensor(DType.FLOAT32, new int[] {0, 3}, new float[0]));
        t.put("ids", new TorchTensor(DType.INT64, new int[] {3}, new float[] {-1, 0, 1L << 40}));
        t.put("mask", new TorchTensor(DType.BOOL, new int[] {2, 2}, new float[] {1, 0, 0, 1}));
        t.put("ünïcode.key", new TorchTensor(DType.UINT8, new int[] {2}, new float[] {0, 255}));
        return new StateDict(t);
    }

    /** Same keys in the same order, and per key the same dtype, shape and values (NaN equal to NaN). */
    static void assertSameTensors(StateDict written, StateDict read) {
        assertEquals(List.copyOf(written.keys()), List.copyOf(read.keys()));
        for (String key : written.keys()) {
            TorchTensor w = written.get(key);
            TorchTensor r = read.get(key);
            assertEquals(w.dtype(), r.dtype(), key);
            assertArrayEquals(w.shape(), r.shape(), key);
            assertArrayEquals(w.data(), r.data(), key);
        }
    }

    @Test
    void whatIsWrittenReadsBackIdentically(@TempDir Path dir) {
        StateDict written = sample();
        Path file = dir.resolve("model.pth");
        TorchZipWriter.write(written, file);
        StateDict read = TorchFiles.read(file);
        assertSameTensors(written, read);
        assertEquals(
                List.of("integers beyond 2^24, which float32 cannot all hold exactly, were rounded in 'ids'"),
                read.notes());
    }

    @Test
    void floatingTypesAreWrittenAsFloat32(@TempDir Path dir) {
        Path file = dir.resolve("half.pth");
        TorchZipWriter.write(
                new StateDict(Map.of("h", new TorchTensor(DType.FLOAT16, new int[] {1}, new float[] {0.5f}))), file);
        TorchTensor read = TorchFiles.read(file).get("h");
        assertEquals(DType.FLOAT32, read.dtype());
        assertArrayEquals(new float[] {0.5f}, read.data());
    }

    @Test
    void recordDataIsAlignedTo64Bytes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("aligned.pth");
        TorchZipWriter.write(sample(), file);
        ByteBuffer zip = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<String> names = new ArrayList<>();
        int at = 0;
        while (zip.getInt(at) == 0x04034b50) {
            int size = zip.getInt(at + 18);
            int nameLength = zip.getShort(at + 26) & 0xffff;
            int extraLength = zip.getShort(at + 28) & 0xffff;
            byte[] name = new byte[nameLength];
            zip.get(at + 30, name);
            names.add(new String(name));
            int data = at + 30 + nameLength + extraLength;
            assertEquals(0, data % TorchZipWriter.ALIGNMENT, new String(name) + " starts at " + data);
            at = data + size;
        }
        assertEquals("archive/data.pkl", names.get(0));
        assertEquals("archive/version", names.get(names.size() - 1));
        assertEquals(sample().size() + 3, names.size());
    }

    @Test
    void writingReplacesAtomicallyAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.pth");
        Files.writeString(file, "old content");
        TorchZipWriter.write(sample(), file);
        assertEquals(sample().size(), TorchFiles.read(file).size());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.pth");
        Files.writeString(file, "old content");
        Map<String, TorchTensor> tooBig =
                Map.of("huge", new TorchTensor(DType.INT64, new int[] {270_000_000}, new float[270_000_000]));
        VecnnException e = assertThrows(VecnnException.class, () -> TorchZipWriter.write(new StateDict(tooBig), file));
        assertTrue(e.getMessage().contains("key 'huge'"), e.getMessage());
        assertEquals("old content", Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }
}
