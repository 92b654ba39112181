package io.vecnn.converter.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.testing.FuzzOutcome;

/** The safetensors state-dict reader on arbitrary bytes: header length, JSON header, dtypes, shapes and offsets. */
class SafetensorsFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void read(byte[] bytes) {
        FuzzOutcome.inTempFile(
                bytes,
                ".safetensors",
                file -> FuzzOutcome.resultOrTypedError(() -> SafetensorsStateDicts.read(file, ReadProgress.NONE)));
    }
}
