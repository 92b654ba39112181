package io.vecnn.modelfile;

import io.vecnn.VecnnException;

import java.nio.file.Path;
import java.util.Map;

/**
 * The model file format's version, recorded in {@code __metadata__}. Version 1 files have no data checksum
 * and no writer; version 2 adds both. A file from a newer format is refused rather than half-understood.
 */
final class FormatVersion {
    static final int CURRENT = 2;
    /** The first version whose files record a checksum of their data and the program that wrote them. */
    static final int CHECKSUMMED = 2;

    static final String KEY = "vecnn.format_version";

    private FormatVersion() {}

    static int of(Map<String, String> metadata, Path path) {
        String value = metadata.get(KEY);
        if (value == null) {
            throw new VecnnException(path + ": __metadata__ has no '" + KEY + "'; the file was not written by VecNN");
        }
        int version;
        try {
            version = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new VecnnException(path + ": __metadata__ '" + KEY + "' is '" + value + "', not a version number");
        }
        if (version > CURRENT) {
            throw new VecnnException(path + ": model format version " + version
                    + " is newer than this runtime supports (" + CURRENT + "); upgrade VecNN");
        }
        if (version < 1) {
            throw new VecnnException(
                    path + ": model format version " + version + " does not exist (versions start at 1)");
        }
        return version;
    }
}
