package io.vecnn.modelfile;

import io.vecnn.VecnnException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Writes a file so that readers see either nothing, the previous file, or the whole new file: the content goes
 * to a temporary file in the same directory, which is renamed over the target only after it was written and
 * synced. A failure in this JVM deletes the temporary file. A process killed mid-write cannot, so its temporary
 * file is named {@code .<target>.<pid>-<random>.partial} and the next write to that target deletes those whose
 * process is gone.
 */
public final class AtomicWrite {
    private static final String SUFFIX = ".partial";

    /** Writes the content of a file through the stream it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicWrite() {}

    public static void write(Path target, Content content) {
        write(target, content, UnaryOperator.identity());
    }

    /** @param wrap wraps the stream to the temporary file; tests use it to fail the write part-way */
    static void write(Path target, Content content, UnaryOperator<OutputStream> wrap) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            removeStale(dir, absolute.getFileName().toString());
            temp = dir.resolve(tempName(
                    absolute.getFileName().toString(), ProcessHandle.current().pid()));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out =
                            wrap.apply(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20))) {
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new VecnnException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The original failure is the one worth reporting.
                }
            }
        }
    }

    static String tempName(String target, long pid) {
        return "." + target + "." + pid + "-" + UUID.randomUUID() + SUFFIX;
    }

    /**
     * Deletes temporary files a killed writer left for this target. Files of live processes are another
     * writer's work in progress (in this JVM or another) and stay.
     */
    private static void removeStale(Path dir, String target) throws IOException {
        String prefix = "." + target + ".";
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, p -> {
            String name = p.getFileName().toString();
            return name.startsWith(prefix) && name.endsWith(SUFFIX);
        })) {
            for (Path temp : temps) {
                String name = temp.getFileName().toString();
                String middle = name.substring(prefix.length(), name.length() - SUFFIX.length());
                int dash = middle.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? middle : middle.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                Files.deleteIfExists(temp);
            }
        }
    }
}
