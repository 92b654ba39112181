package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Cut or damaged input must end in a VecnnException, whatever byte the damage hits. */
class TruncationTest {

    @TempDir
    Path dir;

    private byte[] writtenFile() throws IOException {
        Path file = dir.resolve("whole.pth");
        TorchZipWriter.write(TorchZipRoundTripTest.sample(), file);
        return Files.readAllBytes(file);
    }

    private static byte[] writtenPickle() {
        return PickleBytes.protocol(2)
                .orderedDict()
                .op(PickleOpcodes.MARK)
                .str("conv.weight")
                .tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1})
                .str("scale")
                .binFloat(1.0)
                .op(PickleOpcodes.SETITEMS)
                .stop();
    }

    @Test
    void everyCutOfAPickleIsReportedAsTruncated() {
        byte[] pickle = writtenPickle();
        for (int cut = 0; cut < pickle.length; cut++) {
            byte[] part = Arrays.copyOf(pickle, cut);
            VecnnException e =
                    assertThrows(VecnnException.class, () -> PickleVm.load(part, new ZipStorageIds()), "cut at " + cut);
            assertTrue(e.getMessage().startsWith("pickle truncated at byte " + cut), e.getMessage());
        }
    }

    @Test
    void damagedPicklesFailCleanly() {
        byte[] pickle = writtenPickle();
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] damaged = pickle.clone();
            damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            if (random.nextBoolean()) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            try {
                PickleVm.load(damaged, new ZipStorageIds());
            } catch (VecnnException expected) {
                // Refusing is fine; any other exception is a bug.
            } catch (RuntimeException | StackOverflowError e) {
                fail("damaged pickle " + Arrays.toString(damaged) + " threw " + e, e);
            }
        }
    }

    @Test
    void everyCutOfAZipFileIsRefused() throws IOException {
        byte[] whole = writtenFile();
        Path cutFile = dir.resolve("cut.pth");
        for (int cut = 0; cut < whole.length; cut++) {
            Files.write(cutFile, Arrays.copyOf(whole, cut));
            VecnnException e = assertThrows(VecnnException.class, () -> TorchFiles.read(cutFile), "cut at " + cut);
            if (cut >= 4) {
                assertTrue(
                        e.getMessage().startsWith("truncated or corrupt zip"), "cut at " + cut + ": " + e.getMessage());
            }
        }
    }

    /** The files people actually have, each cut at every 1 KiB boundary. */
    @Test
    void everyKibCutOfTheRealFilesIsRefusedAsTruncated() throws IOException {
        for (Path file : sharedFixtures(List.of("real"))) {
            byte[] whole = Files.readAllBytes(file);
            Path cutFile = dir.resolve("cut-" + file.getFileName());
            for (int cut = 1024; cut < whole.length; cut += 1024) {
                Files.write(cutFile, Arrays.copyOf(whole, cut));
                String message = assertThrows(
                                VecnnException.class, () -> TorchFiles.read(cutFile), file + " cut at " + cut)
                        .getMessage();
                assertTrue(message.contains("truncated"), file + " cut at " + cut + ": " + message);
            }
        }
    }

    /** Random damage anywhere in the shared fixtures ends in a refusal that names the problem, never in a bug. */
    @Test
    void damagedSharedFixturesFailCleanly() throws IOException {
        Random random = new Random(11);
        for (Path file : sharedFixtures(List.of("real", "negative"))) {
            byte[] whole = Files.readAllBytes(file);
            Path damagedFile = dir.resolve("damaged-" + file.getFileName());
            for (int i = 0; i < 300; i++) {
                byte[] damaged = whole.clone();
                // Half the damage goes into the first 32 KiB, where the pickles and headers are.
                int span = random.nextBoolean() ? Math.min(whole.length, 32 << 10) : whole.length;
                for (int hits = 1 + random.nextInt(3); hits > 0; hits--) {
                    damaged[random.nextInt(span)] = (byte) random.nextInt(256);
                }
                Files.write(damagedFile, damaged);
                try {
                    TorchFiles.read(damagedFile);
                } catch (VecnnException e) {
                    assertFalse(
                            e.getMessage().contains(": unexpected "), file + " damage " + i + ": " + e.getMessage());
                }
            }
        }
    }

    private static List<Path> sharedFixtures(List<String> folders) throws IOException {
        Assumptions.assumeTrue(
                Files.isDirectory(RealFixturesTest.FIXTURES),
                "shared fixtures not found at " + RealFixturesTest.FIXTURES + ": skipped");
        List<Path> files = new ArrayList<>();
        for (String folder : folders) {
            try (Stream<Path> listed = Files.list(RealFixturesTest.FIXTURES.resolve(folder))) {
                listed.filter(p -> p.toString().matches(".*\\.(pth|th|pt)"))
                        .sorted()
                        .forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void damagedZipFilesFailCleanly() throws IOException {
        byte[] whole = writtenFile();
        Path damagedFile = dir.resolve("damaged.pth");
        Random random = new Random(7);
        for (int i = 0; i < 3_000; i++) {
            byte[] damaged = whole.clone();
            damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            Files.write(damagedFile, damaged);
            try {
                TorchFiles.read(damagedFile);
            } catch (VecnnException expected) {
                // Refusing is fine; any other exception is a bug.
            } catch (RuntimeException e) {
                fail("damage " + i + " threw " + e, e);
            }
        }
    }
}
