package io.vecnn.converter.torchfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecnn.VecnnException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pickles that try to run code must be refused at the global, with its name, before anything is called. */
class HostilePickleTest {

    private static VecnnException refuse(byte[] pickle) {
        return assertThrows(VecnnException.class, () -> PickleVm.load(pickle, null));
    }

    @Test
    void osSystemIsRefusedByNameAndOffset() {
        byte[] pickle = PickleBytes.protocol(2).global("os", "system").str("touch /tmp/pwned")
                .op(PickleOpcodes.TUPLE1).op(PickleOpcodes.REDUCE).stop();
        VecnnException e = refuse(pickle);
        assertEquals("refused pickle global 'os.system' at byte 2: a state dict never needs it", e.getMessage());
    }

    @Test
    void builtinsEvalIsRefused() {
        PickleBytes p = PickleBytes.protocol(2).orderedDict().op(PickleOpcodes.MARK).str("w");
        int at = p.length();
        byte[] pickle = p.global("builtins", "eval").str("__import__('os').system('id')").op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE).op(PickleOpcodes.SETITEMS).stop();
        VecnnException e = refuse(pickle);
        assertTrue(e.getMessage().startsWith("refused pickle global 'builtins.eval' at byte " + at), e.getMessage());
    }

    @Test
    void stackGlobalToSubprocessIsRefused() {
        PickleBytes p = PickleBytes.protocol(4).shortStr("subprocess").shortStr("Popen");
        int at = p.length();
        byte[] pickle = p.op(PickleOpcodes.STACK_GLOBAL).op(PickleOpcodes.MARK).shortStr("id")
                .op(PickleOpcodes.LIST).op(PickleOpcodes.TUPLE1).op(PickleOpcodes.REDUCE).stop();
        VecnnException e = refuse(pickle);
        assertTrue(e.getMessage().contains("'subprocess.Popen' at byte " + at), e.getMessage());
    }

    @Test
    void posixSystemIsRefused() {
        VecnnException e = refuse(PickleBytes.protocol(2).global("posix", "system").stop());
        assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
    }

    @Test
    void modelClassIsRefusedWithAdviceToSaveTheStateDict() {
        VecnnException e = refuse(PickleBytes.protocol(2).global("__main__", "Net").op(PickleOpcodes.EMPTY_TUPLE)
                .op(0x81).stop());
        assertTrue(e.getMessage().contains("'__main__.Net'"), e.getMessage());
        assertTrue(e.getMessage().contains("model.state_dict()"), e.getMessage());
    }

    @Test
    void refusedGlobalInsideATorchFileNamesFileAndRecord(@TempDir Path dir) throws Exception {
        byte[] pickle = PickleBytes.protocol(2).global("os", "system").str("id").op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE).stop();
        Path file = TestZips.torchZip(dir.resolve("evil.pt"), "archive/", pickle, Map.of(), null);
        VecnnException e = assertThrows(VecnnException.class, () -> TorchFiles.read(file));
        assertTrue(e.getMessage().startsWith(file + ": refused pickle global 'os.system' at byte 2"), e.getMessage());
        assertTrue(e.getMessage().contains("archive/data.pkl"), e.getMessage());
    }

    @Test
    void persistentIdsNeedALoader() {
        VecnnException e = refuse(PickleBytes.protocol(2).str("x").op(PickleOpcodes.BINPERSID).stop());
        assertTrue(e.getMessage().contains("BINPERSID at byte 8"), e.getMessage());
    }

    @Test
    void quantizedGlobalsBecomeMarkersNotFailures() {
        byte[] pickle = PickleBytes.protocol(2).global("torch._utils", "_rebuild_qtensor").op(PickleOpcodes.MARK)
                .global("torch", "per_tensor_affine").global("torch", "qint8").op(PickleOpcodes.TUPLE)
                .op(PickleOpcodes.REDUCE).stop();
        UnsupportedValue v = assertInstanceOf(UnsupportedValue.class, PickleVm.load(pickle, null));
        assertEquals("is a quantized tensor (torch._utils._rebuild_qtensor): quantized models are not supported;"
                + " convert the float model", v.explain());
    }

    @Test
    void nothingRunsWhileRefusing(@TempDir Path dir) {
        Path witness = dir.resolve("pwned");
        refuse(PickleBytes.protocol(2).global("os", "system").str("touch " + witness).op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE).stop());
        assertFalse(Files.exists(witness));
    }

    @Test
    void dictKeysMustBeImmutableScalars() {
        byte[] pickle = PickleBytes.protocol(2).op(PickleOpcodes.EMPTY_DICT).op(PickleOpcodes.EMPTY_LIST)
                .op(PickleOpcodes.NONE).op(PickleOpcodes.SETITEM).stop();
        VecnnException e = refuse(pickle);
        assertTrue(e.getMessage().contains("a list as a key"), e.getMessage());
    }

    @Test
    void selfReferencingListIsBuiltWithoutRecursing() {
        byte[] pickle = PickleBytes.protocol(2).op(PickleOpcodes.EMPTY_LIST).op(PickleOpcodes.BINPUT).op(0)
                .op(PickleOpcodes.BINGET).op(0).op(PickleOpcodes.APPEND).stop();
        List<?> list = assertInstanceOf(List.class, PickleVm.load(pickle, null));
        assertTrue(list.get(0) == list);
    }
}
