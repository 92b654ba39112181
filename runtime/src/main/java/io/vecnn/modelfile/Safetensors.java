package io.vecnn.modelfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecnn.VecnnException;

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
    /** Strict: a key given twice or anything after the header's object is an error, not silently dropped. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final int ALIGNMENT = 8;

    private Safetensors() {}

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

    /** Writes metadata and tensors of the given dtypes, in map order, atomically. */
    public static void writeData(Path path, Map<String, String> metadata, Map<String, Data> tensors) {
        AtomicWrite.write(path, content(metadata, tensors));
    }

    /** The bytes of a file: header, then the tensors' data in map order. */
    static AtomicWrite.Content content(Map<String, String> metadata, Map<String, Data> tensors) {
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
        return out -> {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            encodeData(tensors.values(), out::write);
        };
    }

    /** Receives the data section in chunks; the buffer is reused after the call returns. */
    @FunctionalInterface
    interface DataSink {
        void accept(byte[] bytes, int offset, int length) throws IOException;
    }

    /** The data section's bytes, little-endian, in order: what is written, and what a checksum is computed over. */
    static void encodeData(Iterable<Data> tensors, DataSink sink) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Data t : tensors) {
            boolean f32 = t.dtype().equals("F32");
            for (float v : t.values()) {
                if (buf.remaining() < 8) {
                    sink.accept(buf.array(), 0, buf.position());
                    buf.clear();
                }
                if (f32) {
                    buf.putFloat(v);
                } else {
                    buf.putLong((long) v);
                }
            }
        }
        sink.accept(buf.array(), 0, buf.position());
    }

    /**
     * Reads and validates the header: its length and JSON, each tensor's dtype and shape against its byte range,
     * and the tensors tiling the data section exactly (no overlaps, no holes, no trailing bytes), as the format requires.
     */
    public static SafetensorsHeader readHeader(FileChannel channel, Path path) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new VecnnException(
                    path + ": not a safetensors file (" + fileSize + " bytes, shorter than the 8-byte header length)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lenBuf, 0, path);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > fileSize - 8) {
            throw new VecnnException(path + ": header length " + Long.toUnsignedString(headerLen)
                    + " at byte 0 is impossible for a file of " + fileSize
                    + " bytes (truncated or not a safetensors file)");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(channel, headerBuf, 8, path);
        JsonNode root;
        try {
            root = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new VecnnException(
                    path + ": header (bytes 8.." + (8 + headerLen) + ") is not valid JSON: " + e.getOriginalMessage());
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
        entries.sort(Comparator.comparingLong(SafetensorsHeader.Entry::begin)
                .thenComparingLong(SafetensorsHeader.Entry::end));
        checkTiling(entries, dataSize, path);
        return new SafetensorsHeader(metadata, entries, dataStart);
    }

    /** The tensors, sorted by offset, must cover the data section exactly once. */
    private static void checkTiling(List<SafetensorsHeader.Entry> entries, long dataSize, Path path) {
        long covered = 0;
        String previous = null;
        for (SafetensorsHeader.Entry cur : entries) {
            if (cur.begin() < covered) {
                throw new VecnnException(path + ": tensors '" + previous + "' and '" + cur.name()
                        + "' overlap at data byte " + cur.begin());
            }
            if (cur.begin() > covered) {
                throw new VecnnException(
                        path + ": data bytes " + covered + ".." + cur.begin() + " belong to no tensor ("
                                + (previous == null ? "before the first tensor '" : "between '" + previous + "' and '")
                                + cur.name() + "'); safetensors forbids holes");
            }
            covered = cur.end();
            previous = cur.name();
        }
        if (covered != dataSize) {
            throw new VecnnException(path + ": " + (dataSize - covered) + " trailing bytes after the last tensor"
                    + " (data bytes " + covered + ".." + dataSize + " belong to no tensor)");
        }
    }

    /** Reads one F32 tensor's values. */
    public static float[] readF32(FileChannel channel, SafetensorsHeader header, SafetensorsHeader.Entry e, Path path)
            throws IOException {
        return readF32(channel, header, e, path, null);
    }

    /** Reads one F32 tensor's values, feeding its bytes to a checksum on the way (null for none). */
    static float[] readF32(
            FileChannel channel,
            SafetensorsHeader header,
            SafetensorsHeader.Entry e,
            Path path,
            java.util.zip.Checksum checksum)
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
            if (checksum != null) {
                checksum.update(buf.array(), 0, chunk * 4);
            }
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
        if (!node.isObject()
                || !node.path("dtype").isTextual()
                || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray()
                || node.path("data_offsets").size() != 2) {
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
            // Saturate rather than wrap: dims of 2^30, 2^30 and 8 multiply to exactly 2^63, which wraps to a negative
            // count.
            numel = shape[i] != 0 && numel > Integer.MAX_VALUE / shape[i] ? Long.MAX_VALUE : numel * shape[i];
        }
        JsonNode offsets = node.get("data_offsets");
        if (!offsets.get(0).isIntegralNumber()
                || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).isIntegralNumber()
                || !offsets.get(1).canConvertToLong()) {
            throw new VecnnException(where + " has non-integer data_offsets " + offsets);
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (end < begin) {
            throw new VecnnException(where + " has data_offsets " + offsets + " that end before they begin");
        }
        if (begin < 0 || end > dataSize) {
            throw new VecnnException(where + " has data_offsets " + offsets + " outside the data section of " + dataSize
                    + " bytes (truncated file?)");
        }
        if (numel > Integer.MAX_VALUE || numel * elementBytes != end - begin) {
            throw new VecnnException(
                    where + " has shape " + shapeNode + " of " + dtype + " but " + (end - begin) + " bytes of data");
        }
        return new SafetensorsHeader.Entry(name, dtype, shape, begin, end);
    }

    private static int elementBytes(String dtype) {
        switch (dtype) {
            case "F64":
            case "I64":
            case "U64":
                return 8;
            case "F32":
            case "I32":
            case "U32":
                return 4;
            case "F16":
            case "BF16":
            case "I16":
            case "U16":
                return 2;
            case "I8":
            case "U8":
            case "BOOL":
            case "F8_E4M3":
            case "F8_E5M2":
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
