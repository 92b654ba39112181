package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pickles that try to run code must be refused at the global, with its name, before anything is called. */
class HostilePickleTest {

    private static VecnnException refuse(byte[] pickle) {
        return assertThrows(VecnnException.class, () -> PickleVm.load(pickle, null));
    }

    @Test
    void osSystemIsRefusedByNameAndOffset() {
        byte[] pickle = PickleBytes.protocol(2)
                .global("os", "system")
                .str("touch /tmp/pwned")
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .stop();
        VecnnException e = refuse(pickle);
        assertEquals(
                "refused pickle global 'os.system' at byte 2: a model file never needs it (the file may be"
                        + " malicious)",
                e.getMessage());
    }

    @Test
    void builtinsEvalIsRefused() {
        PickleBytes p =
                PickleBytes.protocol(2).orderedDict().op(PickleOpcodes.MARK).str("w");
        int at = p.length();
        byte[] pickle = p.global("builtins", "eval")
                .str("__import__('os').system('id')")
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .op(PickleOpcodes.SETITEMS)
                .stop();
        VecnnException e = refuse(pickle);
        assertTrue(e.getMessage().startsWith("refused pickle global 'builtins.eval' at byte " + at), e.getMessage());
    }

    @Test
    void stackGlobalToSubprocessIsRefused() {
        PickleBytes p = PickleBytes.protocol(4).shortStr("subprocess").shortStr("Popen");
        int at = p.length();
        byte[] pickle = p.op(PickleOpcodes.STACK_GLOBAL)
                .op(PickleOpcodes.MARK)
                .shortStr("id")
                .op(PickleOpcodes.LIST)
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .stop();
        VecnnException e = refuse(pickle);
        assertTrue(e.getMessage().contains("'subprocess.Popen' at byte " + at), e.getMessage());
    }

    @Test
    void posixSystemIsRefused() {
        VecnnException e =
                refuse(PickleBytes.protocol(2).global("posix", "system").stop());
        assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
    }

    @Test
    void aModelClassBecomesAnInertObjectWithItsState() {
        byte[] pickle = PickleBytes.protocol(2)
                .global("__main__", "Net")
                .op(PickleOpcodes.EMPTY_TUPLE)
                .op(PickleOpcodes.NEWOBJ)
                .op(PickleOpcodes.EMPTY_DICT)
                .str("training")
                .op(PickleOpcodes.NEWTRUE)
                .op(PickleOpcodes.SETITEM)
                .op(PickleOpcodes.BUILD)
                .stop();
        PickleObject net = assertInstanceOf(PickleObject.class, PickleVm.load(pickle, null));
        assertEquals("__main__.Net", net.type().qualifiedName());
        assertEquals(Map.of("training", true), net.attributes());
    }

    @Test
    void callingAFunctionThatIsNotAllowListedIsRefusedByName() {
        PickleBytes p = PickleBytes.protocol(2)
                .global("mypackage.tools", "download_weights")
                .str("http://x")
                .op(PickleOpcodes.TUPLE1);
        int at = p.length();
        VecnnException e = refuse(p.op(PickleOpcodes.REDUCE).stop());
        assertEquals(
                "refused call of 'mypackage.tools.download_weights' at byte " + at + ": the pickle calls"
                        + " a function that is not on the allow-list, and a model file never needs one",
                e.getMessage());
    }

    @Test
    void systemModulesAreRefusedWhateverTheyAreUsedFor() {
        for (String[] global : new String[][] {
            {"nt", "system"},
            {"sys", "modules"},
            {"builtins", "getattr"},
            {"__builtin__", "eval"},
            {"socket", "socket"},
            {"shutil", "rmtree"},
            {"importlib", "import_module"},
            {"pickle", "loads"},
            {"marshal", "loads"},
            {"types", "FunctionType"},
            {"runpy", "run_path"},
            {"code", "interact"},
            {"ctypes", "CDLL"},
            {"torch.hub", "load"},
            {"torch.serialization", "load"},
            {"os.path", "join"},
            {"subprocess", "check_output"}
        }) {
            VecnnException e =
                    refuse(PickleBytes.protocol(2).global(global[0], global[1]).stop());
            assertEquals(
                    "refused pickle global '" + global[0] + "." + global[1] + "' at byte 2: a model file never"
                            + " needs it (the file may be malicious)",
                    e.getMessage());
        }
    }

    @Test
    void namesThatAreNotPythonIdentifiersAreRefused() {
        VecnnException e = refuse(PickleBytes.protocol(4)
                .shortStr("torch")
                .shortStr("nn.Module.__init__")
                .op(PickleOpcodes.STACK_GLOBAL)
                .stop());
        assertTrue(
                e.getMessage().startsWith("refused pickle global 'torch.nn.Module.__init__' at byte"), e.getMessage());
    }

    @Test
    void theBuiltinsAPickleOfAModelNeedsAreAllowed() {
        byte[] pickle = PickleBytes.protocol(2)
                .op(PickleOpcodes.MARK)
                .global("__builtin__", "set")
                .op(PickleOpcodes.EMPTY_LIST)
                .str("a")
                .op(PickleOpcodes.APPEND)
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .global("builtins", "frozenset")
                .op(PickleOpcodes.EMPTY_TUPLE)
                .op(PickleOpcodes.REDUCE)
                .op(PickleOpcodes.TUPLE)
                .stop();
        PickleTuple sets = assertInstanceOf(PickleTuple.class, PickleVm.load(pickle, null));
        assertEquals(Set.of("a"), sets.get(0));
        assertEquals(Set.of(), sets.get(1));
    }

    @Test
    void refusedGlobalInsideATorchFileNamesFileAndRecord(@TempDir Path dir) throws Exception {
        byte[] pickle = PickleBytes.protocol(2)
                .global("os", "system")
                .str("id")
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .stop();
        Path file = TestZips.torchZip(dir.resolve("evil.pt"), "archive/", pickle, Map.of(), null);
        VecnnException e = assertThrows(VecnnException.class, () -> TorchFiles.read(file));
        assertTrue(e.getMessage().startsWith(file + ": refused pickle global 'os.system' at byte 2"), e.getMessage());
        assertTrue(e.getMessage().contains("archive/data.pkl"), e.getMessage());
    }

    @Test
    void persistentIdsNeedALoader() {
        VecnnException e = refuse(
                PickleBytes.protocol(2).str("x").op(PickleOpcodes.BINPERSID).stop());
        assertTrue(e.getMessage().contains("BINPERSID at byte 8"), e.getMessage());
    }

    @Test
    void quantizedGlobalsBecomeMarkersNotFailures() {
        byte[] pickle = PickleBytes.protocol(2)
                .global("torch._utils", "_rebuild_qtensor")
                .op(PickleOpcodes.MARK)
                .global("torch", "per_tensor_affine")
                .global("torch", "qint8")
                .op(PickleOpcodes.TUPLE)
                .op(PickleOpcodes.REDUCE)
                .stop();
        UnsupportedValue v = assertInstanceOf(UnsupportedValue.class, PickleVm.load(pickle, null));
        assertEquals(
                "is a quantized tensor (torch._utils._rebuild_qtensor): quantized models are not supported;"
                        + " convert the float model",
                v.explain());
    }

    @Test
    void nothingRunsWhileRefusing(@TempDir Path dir) {
        Path witness = dir.resolve("pwned");
        refuse(PickleBytes.protocol(2)
                .global("os", "system")
                .str("touch " + witness)
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .stop());
        assertFalse(Files.exists(witness));
    }

    @Test
    void dictKeysMustBeImmutableScalars() {
        byte[] pickle = PickleBytes.protocol(2)
                .op(PickleOpcodes.EMPTY_DICT)
                .op(PickleOpcodes.EMPTY_LIST)
                .op(PickleOpcodes.NONE)
                .op(PickleOpcodes.SETITEM)
                .stop();
        VecnnException e = refuse(pickle);
        assertTrue(e.getMessage().contains("a list as a key"), e.getMessage());
    }

    @Test
    void selfReferencingListIsBuiltWithoutRecursing() {
        byte[] pickle = PickleBytes.protocol(2)
                .op(PickleOpcodes.EMPTY_LIST)
                .op(PickleOpcodes.BINPUT)
                .op(0)
                .op(PickleOpcodes.BINGET)
                .op(0)
                .op(PickleOpcodes.APPEND)
                .stop();
        List<?> list = assertInstanceOf(List.class, PickleVm.load(pickle, null));
        assertTrue(list.get(0) == list);
    }
}
