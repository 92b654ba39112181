package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Walks the headers of a tar file to tell a cut-off download from a complete file, so that the
 * refusal of the oldest torch.save format says which one the user has.
 */
final class TarProbe {
    private static final int BLOCK = 512;
    private static final int SIZE_OFFSET = 124;
    private static final int SIZE_LENGTH = 12;
    private static final int NAME_LENGTH = 100;

    private TarProbe() {
    }

    /** Null for a complete tar, else why it is truncated or damaged (which entry, which bytes). */
    static String truncation(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = ch.size();
            long at = 0;
            ByteBuffer header = ByteBuffer.allocate(BLOCK);
            while (true) {
                header.clear();
                while (header.hasRemaining() && ch.read(header, at + header.position()) > 0) {
                    // A positional read may return less than asked; keep reading until the block or the file ends.
                }
                if (header.hasRemaining()) {
                    return "the file ends at byte " + length + ", where the header or end-of-archive block at byte "
                            + at + " should be";
                }
                byte[] h = header.array();
                if (isZero(h)) {
                    return null;
                }
                long size = octal(h);
                if (size < 0) {
                    return "the header at byte " + at + " has no octal size";
                }
                String name = new String(h, 0, NAME_LENGTH, StandardCharsets.UTF_8).replace("\0", "");
                if (at + BLOCK + size > length) {
                    return "entry '" + name + "' declares " + size + " bytes from byte " + (at + BLOCK)
                            + " but the file ends at byte " + length;
                }
                at = at + BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
            }
        } catch (IOException e) {
            throw new VecnnException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The octal size field; -1 when it is not octal, which only a damaged header has. */
    private static long octal(byte[] h) {
        long v = 0;
        boolean digits = false;
        for (int i = SIZE_OFFSET; i < SIZE_OFFSET + SIZE_LENGTH; i++) {
            int c = h[i];
            if (c >= '0' && c <= '7') {
                v = v * 8 + (c - '0');
                digits = true;
            } else if (c == 0 || c == ' ') {
                if (digits) {
                    break;
                }
            } else {
                return -1;
            }
        }
        return v;
    }
}
