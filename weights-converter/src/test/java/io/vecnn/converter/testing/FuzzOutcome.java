package io.vecnn.converter.testing;

import io.vecnn.VecnnException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What a fuzz target accepts from a reader: a result, or VecNN's own exception with a message that says
 * something. Everything else (another exception, an Error, an empty message) propagates to Jazzer as a finding.
 */
public final class FuzzOutcome {

    private FuzzOutcome() {}

    /** Runs {@code read}, letting through only a {@link VecnnException} whose message is not blank. */
    public static void resultOrTypedError(Runnable read) {
        try {
            read.run();
        } catch (VecnnException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("VecnnException without a message", e);
            }
        }
    }

    /** Writes {@code bytes} to a fresh temporary file, hands it to {@code read} and deletes it whatever happens. */
    public static void inTempFile(byte[] bytes, String suffix, Consumer<Path> read) {
        Path file;
        try {
            file = Files.createTempFile("vecnn-fuzz-", suffix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.write(file, bytes);
            read.accept(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A leftover temp file is not the reader's fault; the finding, if any, is what matters.
            }
        }
    }
}
