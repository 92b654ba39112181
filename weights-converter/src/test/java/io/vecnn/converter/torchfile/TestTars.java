package io.vecnn.converter.torchfile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

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

    private static void put(byte[] tar, int at, String ascii) {
        byte[] b = ascii.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, tar, at, b.length);
    }
}
