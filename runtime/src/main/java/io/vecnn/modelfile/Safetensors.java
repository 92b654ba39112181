package io.vecnn.modelfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecnn.VecnnException;
import io.vecnn.graph.WeightTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors container: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. VecNN writes only F32 tensors.
 */
public final class Safetensors {
    /** Headers beyond this are not safetensors files but attacks or accidents (the reference implementation uses 100 MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ALIGNMENT = 8;

    private Safetensors() {
    }

    /**
     * A tensor to write: float values stored as {@code F32}, or as {@code I64} for integer buffers (whose
     * values must then be whole numbers).
     */
    public record Data(String dtype, int[] shape, float[] values) {
        public Data {
            if (!dtype.equals("F32") && !dtype.equals("I64")) {
                throw new IllegalArgumentException("VecNN writes F32 and I64 tensors, not " + dtype);
            }
        }

        int elementBytes() {
            return dtype.equals("F32") ? 4 : 8;
        }
    }

    /** Writes metadata and float32 tensors, in map order, atomically. */
    public static void write(Path path, Map<String, String> metadata, Map<String, WeightTensor> tensors) {
        Map<String, Data> data = new LinkedHashMap<>();
        tensors.forEach((k, t) -> data.put(k, new Data("F32", t.shape(), t.data())));
        writeData(path, metadata, data);
    }

    /** Writes metadata and tensors of the given dtypes, in map order, atomically. */
    public static void writeData(Path path, Map<String, String> metadata, Map<String, Data> tensors) {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Map.Entry<String, Data> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = (long) e.getValue().elementBytes() * e.getValue().values().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        // Pad with spaces so the data section starts 8-byte aligned, as the format recommends.
        int padded = (int) ((8 + json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT - 8);
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        AtomicWrite.write(path, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Data t : tensors.values()) {
                boolean f32 = t.dtype().equals("F32");
                for (float v : t.values()) {
                    if (buf.remaining() < 8) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    if (f32) {
                        buf.putFloat(v);
                    } else {
                        buf.putLong((long) v);
                    }
                }
            }
            out.write(buf.array(), 0, buf.position());
        });
    }

    /** Reads and validates the header: bounds, dtypes, shapes against byte ranges, no overlaps, no gaps past the end. */
    public static SafetensorsHeader readHeader(FileChannel channel, Path path) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new VecnnException(path + ": not a safetensors file (" + fileSize + " bytes, shorter than the 8-byte header length)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lenBuf, 0, path);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > fileSize - 8) {
            throw new VecnnException(path + ": header length " + Long.toUnsignedString(headerLen)
                    + " at byte 0 is impossible for a file of " + fileSize + " bytes (truncated or not a safetensors file)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(channel, headerBuf, 8, path);
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new VecnnException(path + ": header (bytes 8.." + (8 + headerLen) + ") is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new VecnnException(path + ": header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<SafetensorsHeader.Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                readMetadata(field.getValue(), metadata, path);
            } else {
                entries.add(readEntry(field.getKey(), field.getValue(), dataSize, path));
            }
        }
        entries.sort(Comparator.comparingLong(SafetensorsHeader.Entry::begin));
        for (int i = 1; i < entries.size(); i++) {
            var prev = entries.get(i - 1);
            var cur = entries.get(i);
            if (cur.begin() < prev.end()) {
                throw new VecnnException(path + ": tensors '" + prev.name() + "' and '" + cur.name()
                        + "' overlap at data byte " + cur.begin());
            }
        }
        return new SafetensorsHeader(metadata, entries, dataStart);
    }

    /** Reads one F32 tensor's values. */
    public static float[] readF32(FileChannel channel, SafetensorsHeader header, SafetensorsHeader.Entry e, Path path)
            throws IOException {
        if (!e.dtype().equals("F32")) {
            throw new VecnnException(path + ": tensor '" + e.name() + "' has dtype " + e.dtype() + ", expected F32");
        }
        float[] out = new float[(int) e.numel()];
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        long pos = header.dataStart() + e.begin();
        int done = 0;
        while (done < out.length) {
            int chunk = Math.min(out.length - done, buf.capacity() / 4);
            buf.clear().limit(chunk * 4);
            readFully(channel, buf, pos, path);
            buf.flip().asFloatBuffer().get(out, done, chunk);
            pos += chunk * 4L;
            done += chunk;
        }
        return out;
    }

    private static void readMetadata(JsonNode node, Map<String, String> metadata, Path path) {
        if (!node.isObject()) {
            throw new VecnnException(path + ": __metadata__ must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw new VecnnException(path + ": __metadata__ value '" + m.getKey() + "' must be a string");
            }
            metadata.put(m.getKey(), m.getValue().asText());
        }
    }

    private static SafetensorsHeader.Entry readEntry(String name, JsonNode node, long dataSize, Path path) {
        String where = path + ": tensor '" + name + "'";
        if (!node.isObject() || !node.path("dtype").isTextual() || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray() || node.path("data_offsets").size() != 2) {
            throw new VecnnException(where + " needs dtype, shape and data_offsets [begin, end]");
        }
        String dtype = node.get("dtype").asText();
        int elementBytes = elementBytes(dtype);
        if (elementBytes == 0) {
            throw new VecnnException(where + " has unknown dtype '" + dtype + "'");
        }
        JsonNode shapeNode = node.get("shape");
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw new VecnnException(where + " has invalid dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = d.intValue();
            numel = Math.multiplyHigh(numel, shape[i]) != 0 ? Long.MAX_VALUE : numel * shape[i];
        }
        JsonNode offsets = node.get("data_offsets");
        if (!offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new VecnnException(where + " has non-integer data_offsets " + offsets);
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new VecnnException(where + " has data_offsets " + offsets + " outside the data section of "
                    + dataSize + " bytes (truncated file?)");
        }
        if (numel > Integer.MAX_VALUE || numel * elementBytes != end - begin) {
            throw new VecnnException(where + " has shape " + shapeNode + " of " + dtype + " but "
                    + (end - begin) + " bytes of data");
        }
        return new SafetensorsHeader.Entry(name, dtype, shape, begin, end);
    }

    private static int elementBytes(String dtype) {
        switch (dtype) {
            case "F64": case "I64": case "U64":
                return 8;
            case "F32": case "I32": case "U32":
                return 4;
            case "F16": case "BF16": case "I16": case "U16":
                return 2;
            case "I8": case "U8": case "BOOL": case "F8_E4M3": case "F8_E5M2":
                return 1;
            default:
                return 0;
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buf, long position, Path path) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new VecnnException(path + ": unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }
}
