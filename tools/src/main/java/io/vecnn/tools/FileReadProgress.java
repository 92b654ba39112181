package io.vecnn.tools;

import io.vecnn.converter.statedict.ReadProgress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

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

    private final ProgressBar bar;

    private FileReadProgress(ProgressBar bar) {
        this.bar = bar;
    }

    static FileReadProgress start(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return new FileReadProgress(null);
        }
        if (System.console() == null || size < MIN_BYTES) {
            return new FileReadProgress(null);
        }
        return new FileReadProgress(new ProgressBarBuilder()
                .setTaskName("reading " + file.getFileName())
                .setInitialMax(size)
                .setUnit(" MB", 1 << 20)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .build());
    }

    @Override
    public void advance(long bytes) {
        if (bar != null) {
            bar.stepBy(bytes);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.stepTo(bar.getMax());
            bar.close();
        }
    }
}
