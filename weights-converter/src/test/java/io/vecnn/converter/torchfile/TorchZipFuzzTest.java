package io.vecnn.converter.torchfile;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.converter.testing.FuzzOutcome;

/**
 * The zip front end on arbitrary bytes: central directory and entry names, declared and compressed sizes,
 * the byteorder record, and whichever of torch.save, TorchScript or TorchScript 1.0 the layout announces.
 * Called directly rather than through TorchFiles, whose last-resort net would turn a bug into a message.
 */
class TorchZipFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void read(byte[] bytes) {
        FuzzOutcome.inTempFile(bytes, ".pth", file -> FuzzOutcome.resultOrTypedError(() -> TorchZipReader.read(file)));
    }
}
