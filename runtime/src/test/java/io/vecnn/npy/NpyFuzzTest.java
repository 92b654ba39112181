package io.vecnn.npy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.VecnnException;

class NpyFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void parse(byte[] bytes) {
        try {
            Npy.parse(bytes, "fuzz.npy");
        } catch (VecnnException expected) {
            // the only acceptable failure: a typed error with a message
        }
    }
}
