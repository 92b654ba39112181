package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A cursor over the bytes of one or more pickles (a record, a memory-mapped file or part of one). Every
 * read first checks that the bytes are there, so a cut file ends in "pickle truncated at byte N" rather
 * than an index error, and a length field can never make the reader allocate more than the input holds.
 * Positions count from the start of the buffer.
 */
final class PickleInput {
    /** Longer module or class names than this are not Python identifiers anyone writes. */
    private static final int MAX_GLOBAL_LINE = 1000;

    private final ByteBuffer data;
    private final int length;
    private int pos;
    private int opAt;
    private String opName = "";

    PickleInput(ByteBuffer data) {
        this.data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.length = data.limit();
    }

    PickleInput(byte[] data) {
        this(ByteBuffer.wrap(data));
    }

    int position() {
        return pos;
    }

    int length() {
        return length;
    }

    boolean atEnd() {
        return pos >= length;
    }

    /** Moves to a position the caller has checked to lie within the input. */
    void seek(long position) {
        if (position < 0 || position > length) {
            throw new VecnnException("position " + position + " lies outside the " + length + " bytes read");
        }
        pos = (int) position;
    }

    /** Names the opcode being decoded, for the messages of the reads that follow. */
    void begin(int at, String name) {
        opAt = at;
        opName = name;
    }

    int u8() {
        return data.get(take(1)) & 0xff;
    }

    int u16() {
        return data.getShort(take(2)) & 0xffff;
    }

    int s32() {
        return data.getInt(take(4));
    }

    long u32() {
        return s32() & 0xffffffffL;
    }

    /** A 64-bit length or count; values beyond Long.MAX_VALUE read as negative, which every caller refuses. */
    long s64() {
        return data.getLong(take(8));
    }

    double f64BigEndian() {
        return Double.longBitsToDouble(Long.reverseBytes(data.getLong(take(8))));
    }

    byte[] bytes(long n) {
        if (n < 0) {
            throw truncated(Long.toUnsignedString(n));
        }
        int at = take(n); // before allocating: a length field must not allocate more than the input holds
        byte[] out = new byte[(int) n];
        data.get(at, out);
        return out;
    }

    /** Checks a frame length: frames only group opcodes for buffering, the opcodes inside are read as usual. */
    void checkFrame(long n) {
        if (n < 0 || n > length - pos) {
            throw truncated(Long.toUnsignedString(n));
        }
    }

    String utf8(long n) {
        try {
            return strictUtf8(bytes(n));
        } catch (CharacterCodingException e) {
            throw new VecnnException(
                    "pickle " + opName + " at byte " + opAt + " holds a string that is not valid UTF-8");
        }
    }

    /**
     * A Python 2 str: bytes without a declared encoding. Keys and names are ASCII, which UTF-8 reads as is;
     * other text (docstrings in pickled source code) falls back to Latin-1, as torch.load(encoding='latin1').
     */
    String python2Str(long n) {
        byte[] raw = bytes(n);
        try {
            return strictUtf8(raw);
        } catch (CharacterCodingException e) {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
    }

    /** {@code raw} as UTF-8, refusing what is not (the JDK's decoding would replace it silently). */
    private static String strictUtf8(byte[] raw) throws CharacterCodingException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(raw))
                .toString();
    }

    /** One newline-terminated line of a GLOBAL opcode (module or name), without the newline. */
    String line() {
        int limit = Math.min(length, pos + MAX_GLOBAL_LINE + 1);
        for (int i = pos; i < limit; i++) {
            if (data.get(i) == '\n') {
                byte[] raw = new byte[i - pos];
                data.get(pos, raw);
                pos = i + 1;
                return new String(raw, StandardCharsets.UTF_8);
            }
        }
        if (limit == length) {
            throw new VecnnException(
                    "pickle truncated at byte " + length + ": " + opName + " at byte " + opAt + " has no end of line");
        }
        throw new VecnnException(
                "pickle " + opName + " at byte " + opAt + " has a name longer than " + MAX_GLOBAL_LINE + " bytes");
    }

    /** Checks that {@code n} more bytes are there and steps over them; returns where they start. */
    private int take(long n) {
        if (n > length - pos) {
            throw truncated(Long.toString(n));
        }
        int at = pos;
        pos += (int) n;
        return at;
    }

    private VecnnException truncated(String needed) {
        return new VecnnException("pickle truncated at byte " + length + ": " + opName + " at byte " + opAt + " needs "
                + needed + " bytes, " + (length - pos) + " remain");
    }
}
