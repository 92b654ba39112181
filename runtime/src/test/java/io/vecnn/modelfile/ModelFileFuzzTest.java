package io.vecnn.modelfile;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.VecnnException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Model file loading on untrusted bytes. {@link #read} takes whole files; most of its mutations end at the
 * data checksum, so {@link #readWithChecksumFixed} and {@link #readGraph} record a fresh checksum after the
 * fuzzer's edit and reach the graph and weight validation behind it.
 */
class ModelFileFuzzTest {
    private static final Pattern CHECKSUM = Pattern.compile("\"vecnn\\.data_crc32c\":\"[^\"]*\"");
    /** The every-op model of {@link ModelFileTest}, whose graph {@link #readGraph} replaces. */
    private static final ModelBytes BASE = everyOpModel();

    /** A whole file, as on disk. */
    @FuzzTest(maxDuration = "20s")
    void read(byte[] file) {
        load(file);
    }

    /**
     * A file as header JSON, a newline (which compact JSON never holds), then the data section: the header's
     * length and checksum are filled in here, so a mutation of either part is judged on its own merits.
     */
    @FuzzTest(maxDuration = "20s")
    void readWithChecksumFixed(byte[] headerNewlineData) {
        int split = 0;
        while (split < headerNewlineData.length && headerNewlineData[split] != '\n') {
            split++;
        }
        byte[] data = split < headerNewlineData.length
                ? java.util.Arrays.copyOfRange(headerNewlineData, split + 1, headerNewlineData.length)
                : new byte[0];
        CRC32C crc = new CRC32C();
        crc.update(data);
        String header = new String(headerNewlineData, 0, split, StandardCharsets.UTF_8);
        header = CHECKSUM.matcher(header)
                .replaceFirst(Matcher.quoteReplacement(
                        "\"vecnn.data_crc32c\":\"" + String.format("%08x", crc.getValue()) + "\""));
        load(ModelBytes.withHeader(header.getBytes(StandardCharsets.UTF_8), data));
    }

    /** The graph JSON alone, put into a valid file whose weights are those of the every-op model. */
    @FuzzTest(maxDuration = "20s")
    void readGraph(byte[] graphJson) {
        BASE.metadata().put("vecnn.graph", new String(graphJson, StandardCharsets.UTF_8));
        load(BASE.fixChecksum().bytes());
    }

    private static void load(byte[] file) {
        Path path = null;
        try {
            path = Files.createTempFile("vecnn-fuzz", ".vnn");
            Files.write(path, file);
            ModelFile.read(path);
        } catch (VecnnException expected) {
            // the only acceptable failure: a typed error with a message
            if (expected.getMessage() == null || expected.getMessage().isEmpty()) {
                throw new AssertionError("VecnnException without a message", expected);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (path != null) {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // a temporary file; the next run is unaffected
                }
            }
        }
    }

    private static ModelBytes everyOpModel() {
        try {
            Path path = Files.createTempFile("vecnn-fuzz-base", ".vnn");
            try {
                ModelFileTest.everyOp().write(path);
                return ModelBytes.read(path);
            } finally {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
