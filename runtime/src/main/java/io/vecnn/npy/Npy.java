package io.vecnn.npy;

import io.vecnn.VecnnException;
import io.vecnn.modelfile.AtomicWrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * numpy's NPY format for float32 arrays: magic {@code \x93NUMPY}, version, a Python-dict header with
 * {@code descr}, {@code fortran_order} and {@code shape}, then the raw values. Reads versions 1–3,
 * little-endian float32 in C order; writes version 1.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 16;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** A float32 array with its shape. */
    public record Array(int[] shape, float[] data) {}

    public static Array read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new VecnnException("file not found: " + path);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return parse(bytes, path.toString());
    }

    public static Array parse(byte[] bytes, String name) {
        if (bytes.length < 10 || !java.util.Arrays.equals(bytes, 0, 6, MAGIC, 0, 6)) {
            throw new VecnnException(name + ": not an NPY file (no \\x93NUMPY magic at byte 0)");
        }
        int major = bytes[6];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(buf.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw new VecnnException(name + ": NPY header truncated at byte " + bytes.length);
            }
            headerLen = Integer.toUnsignedLong(buf.getInt(8));
            headerStart = 12;
        } else {
            throw new VecnnException(name + ": NPY version " + major + " is not supported (1, 2 or 3)");
        }
        if (headerLen > MAX_HEADER || headerStart + headerLen > bytes.length) {
            throw new VecnnException(name + ": NPY header of " + headerLen + " bytes does not fit in a file of "
                    + bytes.length + " bytes");
        }
        String header = new String(
                bytes, headerStart, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, "descr", name);
        if (!descr.equals("<f4") && !descr.equals("=f4") && !descr.equals("f4")) {
            throw new VecnnException(name + ": NPY dtype '" + descr + "' is not supported; save float32 (<f4)");
        }
        if (group(FORTRAN, header, "fortran_order", name).equals("True")) {
            throw new VecnnException(name + ": NPY array is in Fortran order; save a C-contiguous array");
        }
        int[] shape = parseShape(group(SHAPE, header, "shape", name), name);
        long count = 1;
        for (int d : shape) {
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new VecnnException(name + ": NPY shape " + java.util.Arrays.toString(shape) + " is too large");
            }
        }
        int dataStart = headerStart + (int) headerLen;
        long dataBytes = 4 * count;
        if (bytes.length - dataStart != dataBytes) {
            throw new VecnnException(name + ": NPY shape " + java.util.Arrays.toString(shape) + " needs " + dataBytes
                    + " bytes of data after byte " + dataStart + ", file has " + (bytes.length - dataStart));
        }
        float[] data = new float[(int) count];
        buf.position(dataStart);
        buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        return new Array(shape, data);
    }

    public static void write(Path path, int[] shape, float[] data) {
        byte[] bytes = encode(shape, data);
        AtomicWrite.write(path, out -> out.write(bytes));
    }

    /** The bytes of an NPY version 1 file holding {@code data} in {@code shape}, as {@link #write} stores them. */
    public static byte[] encode(int[] shape, float[] data) {
        StringBuilder dims = new StringBuilder();
        for (int d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1
                ? "(" + shape[0] + ",)"
                : "(" + (dims.length() == 0 ? "" : dims.substring(0, dims.length() - 2)) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        // The header (magic to newline) is padded to a multiple of 64 bytes, as numpy writes it.
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer bytes =
                ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        bytes.put(header.getBytes(StandardCharsets.ISO_8859_1));
        bytes.asFloatBuffer().put(data);
        return bytes.array();
    }

    private static String group(Pattern p, String header, String field, String name) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new VecnnException(name + ": NPY header has no '" + field + "': " + header.trim());
        }
        return m.group(1);
    }

    private static int[] parseShape(String text, String name) {
        List<Integer> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            try {
                int d = Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
                if (d < 0) {
                    throw new NumberFormatException();
                }
                dims.add(d);
            } catch (NumberFormatException e) {
                String why =
                        t.matches("\\d+L?") ? "is larger than a Java array can hold" : "is not a non-negative integer";
                throw new VecnnException(name + ": NPY shape dimension '" + t + "' " + why);
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }
}
