package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PickleVmTest {

    private static Object load(byte[] pickle) {
        return PickleVm.load(pickle, new ZipStorageIds());
    }

    private static String failure(byte[] pickle) {
        return assertThrows(VecnnException.class, () -> load(pickle)).getMessage();
    }

    @Test
    void scalarsDecodeToPlainJavaValues() {
        byte[] pickle = PickleBytes.protocol(2)
                .op(PickleOpcodes.MARK)
                .op(PickleOpcodes.BININT1)
                .op(200)
                .op(PickleOpcodes.BININT2)
                .op(0x34)
                .op(0x12)
                .integer(-7)
                .op(PickleOpcodes.LONG1)
                .op(10)
                .int32(0)
                .int32(0)
                .op(0)
                .op(1)
                .binFloat(1.5)
                .op(PickleOpcodes.NEWTRUE)
                .op(PickleOpcodes.NONE)
                .shortStr("é")
                .op(PickleOpcodes.SHORT_BINBYTES)
                .op(2)
                .op(1)
                .op(2)
                .op(PickleOpcodes.TUPLE)
                .stop();
        List<Object> items = assertInstanceOf(PickleTuple.class, load(pickle)).items();
        assertEquals(200L, items.get(0));
        assertEquals(0x1234L, items.get(1));
        assertEquals(-7L, items.get(2));
        assertEquals(BigInteger.ONE.shiftLeft(72), items.get(3));
        assertEquals(1.5, items.get(4));
        assertEquals(Boolean.TRUE, items.get(5));
        assertNull(items.get(6));
        assertEquals("é", items.get(7));
        assertArrayEquals(new byte[] {1, 2}, (byte[]) items.get(8));
    }

    @Test
    void orderedDictKeepsInsertionOrderAndIgnoresMetadata() {
        byte[] pickle = PickleBytes.protocol(2)
                .orderedDict()
                .op(PickleOpcodes.MARK)
                .str("z")
                .integer(1)
                .str("a")
                .integer(2)
                .str("m")
                .integer(3)
                .op(PickleOpcodes.SETITEMS)
                .op(PickleOpcodes.EMPTY_DICT)
                .str("_metadata")
                .orderedDict()
                .op(PickleOpcodes.SETITEM)
                .op(PickleOpcodes.BUILD)
                .stop();
        Map<?, ?> dict = assertInstanceOf(Map.class, load(pickle));
        assertEquals(List.of("z", "a", "m"), List.copyOf(dict.keySet()));
    }

    @Test
    void rebuildTensorGivesAViewOfItsStorage() {
        byte[] pickle = PickleBytes.protocol(2)
                .tensor("HalfStorage", "7", 24, 2, new long[] {3, 4}, new long[] {1, 0})
                .stop();
        TensorRef t = assertInstanceOf(TensorRef.class, load(pickle));
        assertEquals(new StorageRef("7", DType.FLOAT16, "cpu", 24), t.storage());
        assertEquals(2, t.storageOffset());
        assertArrayEquals(new int[] {3, 4}, t.size());
        assertArrayEquals(new long[] {1, 0}, t.stride());
    }

    @Test
    void rebuildTensorAcceptsTheMetadataArgument() {
        PickleBytes p = PickleBytes.protocol(2)
                .global("torch._utils", "_rebuild_tensor_v2")
                .op(PickleOpcodes.MARK)
                .storage("FloatStorage", "0", "cpu", 1)
                .integer(0)
                .tuple()
                .tuple()
                .op(PickleOpcodes.NEWFALSE)
                .orderedDict()
                .op(PickleOpcodes.EMPTY_DICT)
                .op(PickleOpcodes.TUPLE)
                .op(PickleOpcodes.REDUCE);
        TensorRef t = assertInstanceOf(TensorRef.class, load(p.stop()));
        assertEquals(0, t.size().length);
    }

    @Test
    void rebuildParameterUnwrapsItsTensor() {
        PickleBytes p = PickleBytes.protocol(2)
                .global("torch._utils", "_rebuild_parameter")
                .op(PickleOpcodes.MARK)
                .tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1})
                .op(PickleOpcodes.NEWTRUE)
                .orderedDict()
                .op(PickleOpcodes.TUPLE)
                .op(PickleOpcodes.REDUCE);
        assertInstanceOf(TensorRef.class, load(p.stop()));
    }

    @Test
    void memoRoundTripsAndMissingEntriesAreNamed() {
        byte[] ok = PickleBytes.protocol(4)
                .str("k")
                .op(PickleOpcodes.MEMOIZE)
                .op(PickleOpcodes.BINGET)
                .op(0)
                .op(PickleOpcodes.TUPLE2)
                .stop();
        assertEquals(List.of("k", "k"), ((PickleTuple) load(ok)).items());
        assertEquals(
                "pickle reads memo entry 9 at byte 2 but nothing was stored there",
                failure(PickleBytes.protocol(2).op(PickleOpcodes.BINGET).op(9).stop()));
    }

    @Test
    void malformedStructureIsNamedWithItsOffset() {
        assertEquals(
                "pickle TUPLE at byte 2 has no MARK before it",
                failure(PickleBytes.protocol(2).op(PickleOpcodes.TUPLE).stop()));
        assertEquals(
                "pickle TUPLE2 at byte 4 finds too few values on the stack",
                failure(PickleBytes.protocol(2)
                        .op(PickleOpcodes.NONE)
                        .op(PickleOpcodes.MARK)
                        .op(PickleOpcodes.TUPLE2)
                        .stop()));
        assertEquals(
                "unsupported pickle opcode 0x96 at byte 2: torch.save never writes it",
                failure(PickleBytes.protocol(5).op(0x96).stop()));
        assertEquals(
                "pickle NEWOBJ at byte 2 finds too few values on the stack",
                failure(PickleBytes.protocol(2).op(PickleOpcodes.NEWOBJ).stop()));
        assertEquals(
                "pickle protocol 9 at byte 0 is not one of 2 to 5",
                failure(PickleBytes.protocol(9).stop()));
        assertTrue(failure(PickleBytes.protocol(2)
                        .op(PickleOpcodes.NONE)
                        .op(PickleOpcodes.EMPTY_TUPLE)
                        .op(PickleOpcodes.REDUCE)
                        .stop())
                .contains("REDUCE at byte 4 calls None"));
    }

    @Test
    void lengthsBeyondTheInputAreTruncationNotAllocation() {
        byte[] pickle = PickleBytes.protocol(2)
                .op(PickleOpcodes.BINUNICODE)
                .int32(0x7fff_fff0)
                .stop();
        assertEquals(
                "pickle truncated at byte 8: BINUNICODE at byte 2 needs 2147483632 bytes, 1 remain", failure(pickle));
        byte[] huge8 = PickleBytes.protocol(4)
                .op(PickleOpcodes.BINUNICODE8)
                .int32(-1)
                .int32(-1)
                .stop();
        assertTrue(failure(huge8)
                .startsWith("pickle truncated at byte 12: BINUNICODE8 at byte 2 needs 18446744073709551615"));
    }

    @Test
    void inputWithoutStopIsTruncated() {
        assertEquals(
                "pickle truncated at byte 3: it ends without a STOP opcode",
                failure(PickleBytes.protocol(2).op(PickleOpcodes.NONE).bytes()));
    }

    @Test
    void theStackIsBounded() {
        byte[] pickle = new byte[PickleVm.MAX_STACK + 3];
        Arrays.fill(pickle, (byte) PickleOpcodes.NONE);
        pickle[pickle.length - 1] = PickleOpcodes.STOP;
        assertEquals(
                "pickle stack exceeds " + PickleVm.MAX_STACK + " values at byte " + PickleVm.MAX_STACK,
                failure(pickle));
    }

    @Test
    void theMemoIsBounded() {
        PickleBytes p = PickleBytes.protocol(2).op(PickleOpcodes.NONE);
        for (int i = 0; i <= PickleVm.MAX_MEMO; i++) {
            p.op(PickleOpcodes.LONG_BINPUT).int32(i);
        }
        assertTrue(failure(p.stop()).startsWith("pickle memo exceeds " + PickleVm.MAX_MEMO + " entries"));
    }

    @Test
    void invalidUtf8IsNamed() {
        byte[] pickle = PickleBytes.protocol(2)
                .op(PickleOpcodes.SHORT_BINUNICODE)
                .op(1)
                .op(0xff)
                .stop();
        assertEquals("pickle SHORT_BINUNICODE at byte 2 holds a string that is not valid UTF-8", failure(pickle));
    }

    @Test
    void setsAndStackOpcodesOfNewerProtocols() {
        byte[] pickle = PickleBytes.protocol(4)
                .op(PickleOpcodes.MARK)
                .op(PickleOpcodes.EMPTY_SET)
                .op(PickleOpcodes.MARK)
                .shortStr("a")
                .shortStr("b")
                .op(PickleOpcodes.ADDITEMS)
                .op(PickleOpcodes.MARK)
                .integer(1)
                .op(PickleOpcodes.FROZENSET)
                .op(PickleOpcodes.LONG4)
                .int32(2)
                .op(0x01)
                .op(0x01)
                .op(PickleOpcodes.NONE)
                .op(PickleOpcodes.POP)
                .op(PickleOpcodes.MARK)
                .op(PickleOpcodes.NONE)
                .op(PickleOpcodes.POP_MARK)
                .shortStr("x")
                .op(PickleOpcodes.DUP)
                .op(PickleOpcodes.TUPLE)
                .stop();
        List<Object> items = assertInstanceOf(PickleTuple.class, load(pickle)).items();
        assertEquals(List.of(Set.of("a", "b"), Set.of(1L), 257L, "x", "x"), items);
    }

    @Test
    void python2StringsThatAreNotUtf8ReadAsLatin1() {
        byte[] pickle = PickleBytes.protocol(2)
                .op(PickleOpcodes.SHORT_BINSTRING)
                .op(2)
                .op('a')
                .op(0xe9)
                .stop();
        assertEquals("aé", load(pickle));
    }

    @Test
    void python2OrderedDictsArePairsPassedToTheConstructor() {
        byte[] pickle = PickleBytes.protocol(2)
                .global("collections", "OrderedDict")
                .op(PickleOpcodes.EMPTY_LIST)
                .op(PickleOpcodes.MARK)
                .op(PickleOpcodes.EMPTY_LIST)
                .op(PickleOpcodes.MARK)
                .str("k")
                .integer(1)
                .op(PickleOpcodes.APPENDS)
                .op(PickleOpcodes.APPENDS)
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .stop();
        assertEquals(Map.of("k", 1L), load(pickle));
    }

    @Test
    void pyTorch04ParametersAreTheirRebuiltTensor() {
        // Parameter(_rebuild_tensor(storage, offset, size, stride)), then BUILD with (requires_grad, volatile, hooks).
        byte[] pickle = PickleBytes.protocol(2)
                .global("torch.nn.parameter", "Parameter")
                .global("torch._utils", "_rebuild_tensor")
                .op(PickleOpcodes.MARK)
                .storage("FloatStorage", "0", "cpu", 6)
                .integer(0)
                .tuple(2, 3)
                .tuple(3, 1)
                .op(PickleOpcodes.TUPLE)
                .op(PickleOpcodes.REDUCE)
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .op(PickleOpcodes.NEWTRUE)
                .op(PickleOpcodes.NEWFALSE)
                .op(PickleOpcodes.NONE)
                .op(PickleOpcodes.TUPLE3)
                .op(PickleOpcodes.BUILD)
                .stop();
        TensorRef t = assertInstanceOf(TensorRef.class, load(pickle));
        assertArrayEquals(new int[] {2, 3}, t.size());
    }

    @Test
    void objectsOfProtocolsBelow2AndKeywordArgumentsAreDescribed() {
        byte[] reconstructed = PickleBytes.protocol(2)
                .global("copy_reg", "_reconstructor")
                .global("__main__", "Net")
                .global("__builtin__", "object")
                .op(PickleOpcodes.NONE)
                .op(PickleOpcodes.TUPLE3)
                .op(PickleOpcodes.REDUCE)
                .stop();
        assertEquals(
                "__main__.Net",
                assertInstanceOf(PickleObject.class, load(reconstructed)).type().qualifiedName());
        byte[] withKeywords = PickleBytes.protocol(4)
                .global("__main__", "Net")
                .op(PickleOpcodes.EMPTY_TUPLE)
                .op(PickleOpcodes.EMPTY_DICT)
                .op(PickleOpcodes.NEWOBJ_EX)
                .stop();
        assertInstanceOf(PickleObject.class, load(withKeywords));
        assertEquals(
                "pickle creates an instance of the global torch._utils._rebuild_tensor_v2 at byte 36, which is"
                        + " not a class",
                failure(PickleBytes.protocol(2)
                        .global("torch._utils", "_rebuild_tensor_v2")
                        .op(PickleOpcodes.EMPTY_TUPLE)
                        .op(PickleOpcodes.NEWOBJ)
                        .stop()));
    }

    @Test
    void torchScriptListsAndTypeTagsAreTheirValues() {
        byte[] pickle = PickleBytes.protocol(2)
                .global("torch.jit._pickle", "restore_type_tag")
                .global("torch.jit._pickle", "build_intlist")
                .op(PickleOpcodes.EMPTY_LIST)
                .integer(4)
                .op(PickleOpcodes.APPEND)
                .op(PickleOpcodes.TUPLE1)
                .op(PickleOpcodes.REDUCE)
                .str("List[int]")
                .op(PickleOpcodes.TUPLE2)
                .op(PickleOpcodes.REDUCE)
                .stop();
        assertEquals(List.of(4L), load(pickle));
    }

    @Test
    void aDeviceAttributeIsAnInertObject() {
        byte[] pickle = PickleBytes.protocol(2)
                .global("torch", "device")
                .str("cuda")
                .integer(0)
                .op(PickleOpcodes.TUPLE2)
                .op(PickleOpcodes.REDUCE)
                .stop();
        assertEquals(
                "torch.device",
                assertInstanceOf(PickleObject.class, load(pickle)).type().qualifiedName());
    }
}
