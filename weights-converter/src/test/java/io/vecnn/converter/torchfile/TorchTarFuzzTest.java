package io.vecnn.converter.torchfile;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.testing.FuzzOutcome;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tar front end of the first PyTorch releases. {@code read} takes arbitrary bytes, which mostly tests the
 * tar headers (their checksums stop most mutations there); {@code members} builds a well-formed tar around
 * three fuzzed members, so the storages, tensors and pickle readers behind it get the fuzzer's attention.
 */
class TorchTarFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void read(byte[] bytes) {
        FuzzOutcome.inTempFile(bytes, ".pt", TorchTarFuzzTest::readTar);
    }

    /**
     * The input is split into the members 'storages', 'tensors' and 'pickle': two little-endian 16-bit lengths
     * give the first two, the rest is the pickle.
     */
    @FuzzTest(maxDuration = "20s")
    void members(byte[] bytes) {
        if (bytes.length < 4) {
            return;
        }
        int storagesEnd = Math.min(bytes.length, 4 + ((bytes[0] & 0xff) | (bytes[1] & 0xff) << 8));
        int tensorsEnd = Math.min(bytes.length, storagesEnd + ((bytes[2] & 0xff) | (bytes[3] & 0xff) << 8));
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("storages", Arrays.copyOfRange(bytes, 4, storagesEnd));
        members.put("tensors", Arrays.copyOfRange(bytes, storagesEnd, tensorsEnd));
        members.put("pickle", Arrays.copyOfRange(bytes, tensorsEnd, bytes.length));
        FuzzOutcome.inTempFile(TestTars.tar(members), ".pt", TorchTarFuzzTest::readTar);
    }

    private static void readTar(Path file) {
        FuzzOutcome.resultOrTypedError(() -> TorchTarReader.read(file, ReadProgress.NONE));
    }
}
