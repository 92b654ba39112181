package io.vecnn.converter.torchfile;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.testing.FuzzOutcome;

/**
 * The legacy (pre-1.6) front end on arbitrary bytes: the five pickles back to back, the storage key list and
 * the raw storages with their element counts. Called directly rather than through TorchFiles, whose
 * last-resort net would turn a bug into a message.
 */
class TorchLegacyFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void read(byte[] bytes) {
        FuzzOutcome.inTempFile(
                bytes,
                ".pt",
                file -> FuzzOutcome.resultOrTypedError(() -> TorchLegacyReader.read(file, ReadProgress.NONE)));
    }
}
