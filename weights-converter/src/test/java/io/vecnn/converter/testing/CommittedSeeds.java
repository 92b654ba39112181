package io.vecnn.converter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the small seed files committed in fuzz targets' inputs directories in step with the code that makes
 * them: a test lists each seed's bytes, and this checks the committed file holds exactly those, or with
 * {@code -Dfuzz.seeds.write=true} (re)writes them first.
 */
public final class CommittedSeeds {

    private CommittedSeeds() {}

    /** @param seeds path under {@code inputs} → the bytes its builder makes */
    public static void check(Path inputs, Map<String, byte[]> seeds) throws IOException {
        boolean write = Boolean.getBoolean("fuzz.seeds.write");
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Path file = inputs.resolve(seed.getKey());
            if (write) {
                Files.createDirectories(file.getParent());
                Files.write(file, seed.getValue());
            }
            assertTrue(Files.isRegularFile(file), file + " is missing; run the test with -Dfuzz.seeds.write=true");
            assertArrayEquals(seed.getValue(), Files.readAllBytes(file), file + " differs from what its builder makes");
        }
    }
}
