package io.vecnn.converter.torchfile;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.vecnn.converter.torchfile.PickleOpcodes.*;

/** Writes ustar headers into a byte array, for tars with chosen members and defects. */
final class TestTars {

    private TestTars() {}

    /** A regular-file header for {@code name} of {@code size} bytes at {@code at}, with a valid checksum. */
    static void header(byte[] tar, int at, String name, long size) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, tar, at, n.length);
        put(tar, at + 124, String.format("%011o\0", size));
        tar[at + 156] = '0';
        put(tar, at + 257, "ustar\0");
        put(tar, at + 148, "        ");
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[at + i] & 0xff;
        }
        put(tar, at + 148, String.format("%06o\0 ", sum));
    }

    /** A complete tar of the members in order, each padded to whole blocks, ended by two zero blocks. */
    static byte[] tar(Map<String, byte[]> members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            byte[] header = new byte[512];
            header(header, 0, m.getKey(), m.getValue().length);
            out.writeBytes(header);
            out.writeBytes(m.getValue());
            out.writeBytes(new byte[(512 - m.getValue().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    /**
     * The members of a tar-format file with one storage '1' of 4 floats, optionally a view {view key, root key, offset, numel},
     * and one tensor '5' of the given size and offset viewing the view (or the storage), saved under key 'w'.
     */
    static Map<String, byte[]> oneStorageMembers(long[] view, long offset, long[] size) {
        ByteArrayOutputStream storages = new ByteArrayOutputStream();
        storages.writeBytes(PickleBytes.protocol(2).integer(1).stop());
        storages.writeBytes(PickleBytes.protocol(2)
                .integer(1)
                .str("cpu")
                .global("torch", "FloatStorage")
                .op(TUPLE3)
                .stop());
        storages.writeBytes(
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(4).array());
        storages.writeBytes(TestZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4));
        PickleBytes views = PickleBytes.protocol(2).op(EMPTY_LIST);
        if (view != null) {
            views.tuple(view).op(APPEND);
        }
        storages.writeBytes(views.stop());
        ByteBuffer tensors = ByteBuffer.allocate(8 + 16 * size.length + 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(size.length)
                .putInt(0);
        for (long d : size) {
            tensors.putLong(d);
        }
        for (int d = 0; d < size.length; d++) {
            tensors.putLong(1);
        }
        tensors.putLong(offset);
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("storages", storages.toByteArray());
        members.put(
                "tensors",
                concat(
                        concat(
                                PickleBytes.protocol(2).integer(1).stop(),
                                PickleBytes.protocol(2)
                                        .integer(5)
                                        .integer(view == null ? 1 : view[0])
                                        .global("torch", "FloatTensor")
                                        .op(TUPLE3)
                                        .stop()),
                        tensors.array()));
        members.put(
                "pickle",
                PickleBytes.protocol(2)
                        .orderedDict()
                        .op(MARK)
                        .str("w")
                        .str("5")
                        .op(BINPERSID)
                        .op(SETITEMS)
                        .stop());
        return members;
    }

    /** {@link #tar} of {@link #oneStorageMembers}. */
    static byte[] oneStorage(long[] view, long offset, long[] size) {
        return tar(oneStorageMembers(view, offset, size));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static void put(byte[] tar, int at, String ascii) {
        byte[] b = ascii.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, tar, at, b.length);
    }
}
