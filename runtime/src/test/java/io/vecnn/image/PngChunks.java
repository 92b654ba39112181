package io.vecnn.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** Writes PNG chunks by hand, for tests that need headers no encoder would write. */
final class PngChunks {
    private PngChunks() {}

    /** Length, type, data and the CRC32 of type and data, as the PNG specification lays a chunk out. */
    static void chunk(ByteBuffer out, String type, byte[] data) {
        byte[] kind = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(kind);
        crc.update(data);
        out.putInt(data.length).put(kind).put(data).putInt((int) crc.getValue());
    }
}
