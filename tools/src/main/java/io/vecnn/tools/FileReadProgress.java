package io.vecnn.tools;

import io.vecnn.converter.statedict.ReadProgress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A progress bar on stderr while a large weight file is read, shown only on a terminal (never in logs or
 * pipes) and only for files big enough to take a while.
 */
final class FileReadProgress implements ReadProgress, AutoCloseable {
    /** Smaller files read in well under a second; a bar would only flicker. */
    private static final long MIN_BYTES = 64L << 20;

    private final TerminalBar bar;

    private FileReadProgress(TerminalBar bar) {
        this.bar = bar;
    }

    static FileReadProgress start(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return new FileReadProgress(TerminalBar.none());
        }
        if (size < MIN_BYTES) {
            return new FileReadProgress(TerminalBar.none());
        }
        return new FileReadProgress(
                TerminalBar.start("reading " + file.getFileName(), size, "MB", 1 << 20, System.err));
    }

    @Override
    public void advance(long bytes) {
        bar.advance(bytes);
    }

    @Override
    public void close() {
        bar.close();
    }
}
