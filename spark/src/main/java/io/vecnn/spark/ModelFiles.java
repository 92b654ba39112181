package io.vecnn.spark;

import io.vecnn.VecnnException;
import org.apache.spark.SparkFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a JVM of the job finds the model file, and its SHA-256. The file is either at a path every node sees
 * (a shared file system, the same local path on each) or shipped with {@code --files} / {@code addFile},
 * which puts a copy under {@link SparkFiles#getRootDirectory()} named by its last path segment.
 */
final class ModelFiles {
    private ModelFiles() {}

    /** The model file as this JVM sees it: the path itself when it exists here, else its SparkFiles copy. */
    static Path locate(String modelPath) {
        Path given = Path.of(modelPath);
        if (Files.isRegularFile(given)) {
            return given;
        }
        String name = given.getFileName().toString();
        Path shipped = sparkFile(name);
        if (shipped != null && Files.isRegularFile(shipped)) {
            return shipped;
        }
        throw new VecnnException("model file " + modelPath + " is neither a file on this node nor shipped with"
                + " --files / SparkContext.addFile (no " + name + " among the SparkFiles)");
    }

    private static Path sparkFile(String name) {
        try {
            return Path.of(SparkFiles.get(name));
        } catch (RuntimeException noSparkEnvironment) {
            // Outside a running SparkContext there are no SparkFiles; the caller reports the path it was given.
            return null;
        }
    }

    /** The file's SHA-256 as 64 lower-case hex digits. */
    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new VecnnException("cannot read model file " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
