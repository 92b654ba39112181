package io.vecnn.converter.torchfile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vecnn.converter.torchfile.PickleOpcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The attributes of a module pickled whole that are not its tree: they are searched, never trusted to be str. */
class WholeModuleAttributesTest {

    /** Python's instance dicts only have str keys, but a crafted pickle can give one None (found by fuzzing). */
    @Test
    void aNoneAttributeNameDoesNotHideTheModulesParameters() {
        byte[] pickle = PickleBytes.protocol(2)
                .newObject("__main__", "Net")
                .op(NONE)
                .integer(1)
                .str("_parameters")
                .orderedDict()
                .op(MARK)
                .str("scale")
                .tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1})
                .op(SETITEMS)
                .str("_buffers")
                .orderedDict()
                .str("_modules")
                .orderedDict()
                .op(SETITEMS)
                .op(BUILD)
                .stop();

        ExtractedTensors extracted = StateDictExtractor.extract(PickleVm.load(pickle, new ZipStorageIds()));

        assertEquals(List.of("scale"), List.copyOf(extracted.tensors().keySet()));
        assertEquals("__main__.Net", extracted.modelClass());
    }
}
