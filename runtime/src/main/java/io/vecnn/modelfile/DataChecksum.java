package io.vecnn.modelfile;

import io.vecnn.VecnnException;
import io.vecnn.graph.WeightTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The CRC32C of a model file's data section (every tensor's bytes, in file order), recorded in the header
 * as eight hex digits so that a flipped bit or a hand-edited weight is caught at load.
 */
final class DataChecksum {
    static final String KEY = "vecnn.data_crc32c";

    private DataChecksum() {}

    /** The checksum the writer records: computed over exactly the bytes {@link Safetensors} writes. */
    static String of(Map<String, WeightTensor> weights) {
        Checksum crc = new CRC32C();
        try {
            Safetensors.encodeData(
                    weights.values().stream()
                            .map(w -> new Safetensors.Data("F32", w.shape(), w.data()))
                            .toList(),
                    crc::update);
        } catch (IOException e) {
            throw new UncheckedIOException("a checksum does not do I/O", e);
        }
        return format(crc.getValue());
    }

    static Checksum start() {
        return new CRC32C();
    }

    static void verify(String recorded, Checksum actual, Path path) {
        String computed = format(actual.getValue());
        if (!computed.equalsIgnoreCase(recorded)) {
            throw new VecnnException(path + ": data checksum mismatch: the header records CRC32C " + recorded
                    + ", the data has " + computed + " (the file is corrupted or was edited)");
        }
    }

    private static String format(long crc) {
        return String.format("%08x", crc);
    }
}
