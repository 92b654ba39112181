package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.statedict.StateDict;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a PyTorch weight file of whichever format its first bytes announce: the torch.save zip (a state
 * dict, a checkpoint or a whole model), a TorchScript archive, the legacy pickle format or the oldest tar
 * format. The file is untrusted input: whatever it holds, the only exception that leaves is a
 * {@link VecnnException} naming what is wrong.
 */
public final class TorchFiles {

    private TorchFiles() {}

    public static StateDict read(Path file) {
        return read(file, ReadProgress.NONE);
    }

    /** Reads the file, telling {@code progress} about the bytes taken in as storages are read. */
    public static StateDict read(Path file, ReadProgress progress) {
        try {
            return readFormat(file, progress);
        } catch (VecnnException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | InternalError e) {
            // Every check is meant to end in a VecnnException; anything else is a bug, reported without a trace.
            throw new VecnnException("cannot read " + file + ": unexpected " + e, e);
        } catch (OutOfMemoryError e) {
            throw new VecnnException(
                    "not enough memory to read " + file + " (its tensors need more than the Java"
                            + " heap holds; raise -Xmx)",
                    e);
        }
    }

    private static StateDict readFormat(Path file, ReadProgress progress) {
        byte[] head = new byte[TorchFormat.HEAD_BYTES];
        int length = readHead(file, head);
        if (length == 0) {
            throw new VecnnException("empty file: " + file + " (0 bytes), not a PyTorch file");
        }
        return switch (TorchFormat.sniff(head, length)) {
            case ZIP -> TorchZipReader.read(file, progress);
            case LEGACY_PICKLE -> TorchLegacyReader.read(file, progress);
            case TAR -> TorchTarReader.read(file, progress);
            case UNKNOWN ->
                throw new VecnnException("not a PyTorch file: " + file + " (first bytes: " + hex(head, length) + ")");
        };
    }

    private static int readHead(Path file, byte[] head) {
        if (Files.isDirectory(file)) {
            throw new VecnnException("not a file but a directory: " + file);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new VecnnException("no such file: " + file, e);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String hex(byte[] head, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(length, 8); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", head[i] & 0xff));
        }
        return sb.toString();
    }
}
