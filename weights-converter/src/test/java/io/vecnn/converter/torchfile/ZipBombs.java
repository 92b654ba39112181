package io.vecnn.converter.torchfile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes zips whose deflated records inflate far beyond the file's size, streaming the zeros so no test holds them. */
final class ZipBombs {
    private static final byte[] ZEROS = new byte[1 << 20];

    private ZipBombs() {}

    /** A torch zip with the given data.pkl (none when null) and one deflated record of {@code size} zero bytes. */
    static Path write(Path file, byte[] pickle, String bombName, long size) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(raw)) {
            if (pickle != null) {
                zip.putNextEntry(new ZipEntry("archive/data.pkl"));
                zip.write(pickle);
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry(bombName));
            zeros(zip, size);
            zip.closeEntry();
        }
        return file;
    }

    /** A torch zip with the given data.pkl and {@code records} deflated records {@code archive/data/i} of zeros. */
    static Path writeMany(Path file, byte[] pickle, int records, long sizeEach) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                ZipOutputStream zip = new ZipOutputStream(raw)) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
            for (int i = 0; i < records; i++) {
                zip.putNextEntry(new ZipEntry("archive/data/" + i));
                zeros(zip, sizeEach);
                zip.closeEntry();
            }
        }
        return file;
    }

    private static void zeros(OutputStream out, long size) throws IOException {
        for (long left = size; left > 0; left -= ZEROS.length) {
            out.write(ZEROS, 0, (int) Math.min(left, ZEROS.length));
        }
    }
}
