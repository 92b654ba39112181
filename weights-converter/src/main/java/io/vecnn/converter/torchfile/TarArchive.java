package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The regular-file members of a tar, as the first PyTorch releases wrote torch.save files (ustar headers,
 * with pax extended headers before some). Each header's checksum is verified and each member's extent
 * checked against the file's length, so a cut download is told apart from a complete file and every
 * later read stays inside the file.
 */
final class TarArchive {
    private static final int BLOCK = 512;
    private static final int NAME_LENGTH = 100;
    private static final int SIZE_OFFSET = 124;
    private static final int SIZE_LENGTH = 12;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int CHECKSUM_LENGTH = 8;
    private static final int TYPE_OFFSET = 156;
    private static final int MAX_MEMBERS = 10_000;

    /** A member's data: {@code size} bytes from byte {@code offset} of the file. */
    record Member(String name, long offset, long size) {}

    private TarArchive() {}

    /** The regular files of the tar by name; throws {@link Truncated} when the file is cut short or damaged. */
    static Map<String, Member> members(FileBytes file) {
        Map<String, Member> members = new LinkedHashMap<>();
        long at = 0;
        for (int count = 0; ; count++) {
            if (count > MAX_MEMBERS) {
                throw new Truncated("it has more than " + MAX_MEMBERS + " members");
            }
            if (file.size() - at < BLOCK) {
                throw new Truncated("the file ends at byte " + file.size() + ", where the header or end-of-archive"
                        + " block at byte " + at + " should be");
            }
            byte[] h = new byte[BLOCK];
            file.read(at, BLOCK, "the tar header at byte " + at).get(h);
            if (isZero(h)) {
                return members;
            }
            if (!checksumMatches(h)) {
                throw new Truncated("the header at byte " + at + " has a wrong checksum");
            }
            long size = octal(h, SIZE_OFFSET, SIZE_LENGTH);
            if (size < 0) {
                throw new Truncated("the header at byte " + at + " has no octal size");
            }
            String name = new String(h, 0, NAME_LENGTH, StandardCharsets.UTF_8).replace("\0", "");
            if (size > file.size() - at - BLOCK) {
                throw new Truncated("entry '" + PickleGlobals.printable(name) + "' declares " + size
                        + " bytes from byte " + (at + BLOCK) + " but the file ends at byte " + file.size());
            }
            byte type = h[TYPE_OFFSET];
            // Pax headers ('x', 'g') and directories describe; only regular files ('0', or NUL in old tars) hold data.
            if (type == '0' || type == 0) {
                members.putIfAbsent(name, new Member(name, at + BLOCK, size));
            }
            at += BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
        }
    }

    /** A cut or damaged tar; the message says where. */
    static final class Truncated extends VecnnException {
        private static final long serialVersionUID = 1L;

        Truncated(String message) {
            super(message);
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

    /** The checksum is the sum of the header's bytes, counting its own field as spaces. */
    private static boolean checksumMatches(byte[] h) {
        long stored = octal(h, CHECKSUM_OFFSET, CHECKSUM_LENGTH);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_LENGTH ? ' ' : h[i] & 0xff;
        }
        return stored == sum;
    }

    /** An octal field; -1 when it is not octal, which only a damaged header has. */
    private static long octal(byte[] h, int offset, int length) {
        long v = 0;
        boolean digits = false;
        for (int i = offset; i < offset + length; i++) {
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

    /** A read-only map of a member's data. */
    static ByteBuffer map(FileBytes file, Member member) {
        if (member.size() > FileBytes.MAX_REGION) {
            throw new VecnnException("tar member '" + member.name() + "' is " + member.size() + " bytes, more than the "
                    + FileBytes.MAX_REGION + " one member may hold");
        }
        return file.map(member.offset(), member.size());
    }
}
