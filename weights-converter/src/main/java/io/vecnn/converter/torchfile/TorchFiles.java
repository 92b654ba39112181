package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.StateDict;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a PyTorch state dict file of whichever format its first bytes announce. */
public final class TorchFiles {

    private TorchFiles() {
    }

    public static StateDict read(Path file) {
        byte[] head = new byte[TorchFormat.HEAD_BYTES];
        int length = readHead(file, head);
        if (length == 0) {
            throw new VecnnException("empty file: " + file + " (0 bytes), not a PyTorch file");
        }
        switch (TorchFormat.sniff(head, length)) {
            case ZIP:
                return TorchZipReader.read(file);
            case LEGACY_PICKLE:
                throw new VecnnException(file + " is in the legacy PyTorch format (torch.save before 1.6, a bare"
                        + " pickle): reading it is not supported yet; load it in Python and save it again with"
                        + " torch.save from PyTorch 1.6 or later");
            case TAR:
                String truncation = TarProbe.truncation(file);
                if (truncation != null) {
                    throw new VecnnException("truncated or corrupt tar: " + file + " is in the tar-based torch.save"
                            + " format of the first PyTorch releases (0.1.x), and " + truncation);
                }
                throw new VecnnException(file + " is in the tar-based torch.save format of the first PyTorch"
                        + " releases (0.1.x): reading it is not supported yet; load it in Python and save it again"
                        + " with torch.save from PyTorch 1.6 or later");
            default:
                throw new VecnnException("not a PyTorch file: " + file + " (first bytes: " + hex(head, length) + ")");
        }
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
