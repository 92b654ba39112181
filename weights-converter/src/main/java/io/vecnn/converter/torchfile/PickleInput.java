package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over the bytes of a pickle. Every read first checks that the bytes are there, so a cut
 * file ends in "pickle truncated at byte N" rather than an index error, and a length field can never
 * make the reader allocate more than the input holds.
 */
final class PickleInput {
    /** Longer module or class names than this are not Python identifiers anyone writes. */
    private static final int MAX_GLOBAL_LINE = 1000;

    private final byte[] data;
    private int pos;
    private int opAt;
    private String opName = "";

    PickleInput(byte[] data) {
        this.data = data;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= data.length;
    }

    /** Names the opcode being decoded, for the messages of the reads that follow. */
    void begin(int at, String name) {
        opAt = at;
        opName = name;
    }

    int u8() {
        need(1);
        return data[pos++] & 0xff;
    }

    int u16() {
        need(2);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    int s32() {
        need(4);
        int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | data[pos + 3] << 24;
        pos += 4;
        return v;
    }

    long u32() {
        return s32() & 0xffffffffL;
    }

    /** An unsigned 64-bit length; values beyond Long.MAX_VALUE read as negative and fail {@link #bytes}. */
    long u64() {
        need(8);
        long v = ByteBuffer.wrap(data, pos, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        pos += 8;
        return v;
    }

    double f64BigEndian() {
        need(8);
        double v = ByteBuffer.wrap(data, pos, 8).getDouble();
        pos += 8;
        return v;
    }

    byte[] bytes(long n) {
        if (n < 0) {
            throw truncated(Long.toUnsignedString(n));
        }
        need(n);
        byte[] out = new byte[(int) n];
        System.arraycopy(data, pos, out, 0, (int) n);
        pos += (int) n;
        return out;
    }

    /** Skips a frame length: frames only group opcodes for buffering, the opcodes inside are read as usual. */
    void checkFrame(long n) {
        if (n < 0 || n > data.length - pos) {
            throw truncated(Long.toUnsignedString(n));
        }
    }

    String utf8(long n) {
        byte[] raw = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new VecnnException("pickle " + opName + " at byte " + opAt + " holds a string that is not valid UTF-8");
        }
    }

    /** One newline-terminated line of a GLOBAL opcode (module or name), without the newline. */
    String line() {
        int limit = Math.min(data.length, pos + MAX_GLOBAL_LINE + 1);
        for (int i = pos; i < limit; i++) {
            if (data[i] == '\n') {
                String s = new String(data, pos, i - pos, StandardCharsets.UTF_8);
                pos = i + 1;
                return s;
            }
        }
        if (limit == data.length) {
            throw new VecnnException("pickle truncated at byte " + data.length + ": " + opName + " at byte " + opAt
                    + " has no end of line");
        }
        throw new VecnnException("pickle " + opName + " at byte " + opAt + " has a name longer than "
                + MAX_GLOBAL_LINE + " bytes");
    }

    private void need(long n) {
        if (n > data.length - pos) {
            throw truncated(Long.toString(n));
        }
    }

    private VecnnException truncated(String needed) {
        return new VecnnException("pickle truncated at byte " + data.length + ": " + opName + " at byte " + opAt
                + " needs " + needed + " bytes, " + (data.length - pos) + " remain");
    }
}
