package io.vecnn.converter.torchfile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes zips with chosen records, for layouts and defects the writer under test never produces. */
final class TestZips {

    private TestZips() {}

    /** A fixed timestamp makes the same records give the same bytes (the fuzz seeds are compared byte for byte). */
    private static final long ENTRY_TIME = 1_577_836_800_000L;

    /** Records are stored uncompressed, as torch.save writes them. */
    static Path write(Path file, Map<String, byte[]> records) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(raw)) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                ZipEntry entry = new ZipEntry(r.getKey());
                entry.setTime(ENTRY_TIME);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(r.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(r.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(r.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    /** A torch zip under {@code prefix} with the given pickle and storages, optionally a byteorder record. */
    static Path torchZip(Path file, String prefix, byte[] pickle, Map<String, byte[]> storages, String byteorder)
            throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(prefix + "data.pkl", pickle);
        if (byteorder != null) {
            records.put(prefix + "byteorder", byteorder.getBytes());
        }
        storages.forEach((key, bytes) -> records.put(prefix + "data/" + key, bytes));
        records.put(prefix + "version", "3\n".getBytes());
        return write(file, records);
    }

    static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(order);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static float[] range(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }
}
