package io.vecnn.converter.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A protocol buffers message built field by field and written in the wire format. Nested messages and
 * float arrays are kept as references until the message is written, so a model of hundreds of megabytes
 * of weights is copied once, into the stream, rather than once per level of nesting.
 */
final class ProtoMessage {
    private static final int VARINT = 0;
    private static final int FIXED32 = 5;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FLOAT_CHUNK = 1 << 14;

    /** Writes a stretch of the encoded message: field tags and scalars, or the body of a large field. */
    @FunctionalInterface
    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Part(long size, Body body) {}

    private final List<Part> parts = new ArrayList<>();
    private ByteArrayOutputStream scalars;
    private long size;

    ProtoMessage varint(int field, long value) {
        tag(field, VARINT);
        writeVarint(buffer(), value);
        return this;
    }

    ProtoMessage float32(int field, float value) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            buffer().write(bits >>> (8 * i));
        }
        return this;
    }

    ProtoMessage string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoMessage bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        writeVarint(buffer(), value.length);
        buffer().writeBytes(value);
        return this;
    }

    /** A repeated integer field in the packed encoding, which every protobuf parser accepts for numeric fields. */
    ProtoMessage packedVarints(int field, long... values) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (long v : values) {
            writeVarint(body, v);
        }
        return bytes(field, body.toByteArray());
    }

    ProtoMessage message(int field, ProtoMessage value) {
        tag(field, LENGTH_DELIMITED);
        writeVarint(buffer(), value.size());
        append(value.size(), value::writeTo);
        return this;
    }

    /** A bytes field holding {@code values} as little-endian IEEE floats, the layout of ONNX's {@code raw_data}. */
    ProtoMessage littleEndianFloats(int field, float[] values) {
        long length = 4L * values.length;
        tag(field, LENGTH_DELIMITED);
        writeVarint(buffer(), length);
        append(length, out -> {
            ByteBuffer chunk = ByteBuffer.allocate(4 * FLOAT_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (int from = 0; from < values.length; from += FLOAT_CHUNK) {
                int n = Math.min(FLOAT_CHUNK, values.length - from);
                chunk.clear();
                chunk.asFloatBuffer().put(values, from, n);
                out.write(chunk.array(), 0, 4 * n);
            }
        });
        return this;
    }

    /** The encoded size in bytes. */
    long size() {
        return size + (scalars == null ? 0 : scalars.size());
    }

    void writeTo(OutputStream out) throws IOException {
        flushScalars();
        for (Part part : parts) {
            part.body().writeTo(out);
        }
    }

    /** The encoded message in one array; fails when it exceeds what a Java array holds. */
    byte[] toByteArray() {
        long total = size();
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a message of " + total + " bytes does not fit in one array");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        writeVarint(buffer(), ((long) field << 3) | wireType);
    }

    private ByteArrayOutputStream buffer() {
        if (scalars == null) {
            scalars = new ByteArrayOutputStream();
        }
        return scalars;
    }

    private void append(long length, Body body) {
        flushScalars();
        parts.add(new Part(length, body));
        size += length;
    }

    private void flushScalars() {
        if (scalars == null) {
            return;
        }
        byte[] done = scalars.toByteArray();
        scalars = null;
        size += done.length;
        parts.add(new Part(done.length, out -> out.write(done)));
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
