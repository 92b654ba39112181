package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layouts real files have (other folders, views, byte orders, checkpoints) and defects they must not have. */
class TorchZipLayoutTest {
    private static final long[] SCALAR = {};

    @TempDir
    Path dir;

    private static PickleBytes dict() {
        return PickleBytes.protocol(2).orderedDict().op(PickleOpcodes.MARK);
    }

    private static byte[] end(PickleBytes p) {
        return p.op(PickleOpcodes.SETITEMS).stop();
    }

    private Path zip(byte[] pickle, Map<String, byte[]> storages) throws Exception {
        return TestZips.torchZip(dir.resolve("f.pth"), "archive/", pickle, storages, "little");
    }

    /** A zip whose one key, 'w', holds 1.5 and -2 stored in {@code order}, with {@code byteorder} if not null. */
    private Path zipOfTwoFloatsUnderW(String name, String folder, ByteOrder order, String byteorder)
            throws IOException {
        byte[] pickle = end(dict().str("w").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}));
        return TestZips.torchZip(
                dir.resolve(name), folder, pickle, Map.of("0", TestZips.floats(order, 1.5f, -2f)), byteorder);
    }

    private String failure(Path file) {
        return assertThrows(VecnnException.class, () -> TorchFiles.read(file)).getMessage();
    }

    @Test
    void anyFolderNameAndNoByteorderRecordRead() throws Exception {
        Path file = zipOfTwoFloatsUnderW("old.pth", "my_model_v2/", ByteOrder.LITTLE_ENDIAN, null);
        assertArrayEquals(
                new float[] {1.5f, -2f}, TorchFiles.read(file).get("w").data());
    }

    @Test
    void bigEndianFilesAreSwapped() throws Exception {
        Path file = zipOfTwoFloatsUnderW("be.pth", "archive/", ByteOrder.BIG_ENDIAN, "big");
        StateDict sd = TorchFiles.read(file);
        assertArrayEquals(new float[] {1.5f, -2f}, sd.get("w").data());
        assertTrue(sd.notes().get(0).contains("big-endian"), sd.notes().toString());
    }

    @Test
    void viewsShareAStorageWithOffsetsTransposesAndZeroStrides() throws Exception {
        byte[] pickle = end(dict().str("transposed")
                .tensor("FloatStorage", "s", 12, 0, new long[] {4, 3}, new long[] {1, 4})
                .str("slice")
                .tensor("FloatStorage", "s", 12, 5, new long[] {2, 2}, new long[] {4, 1})
                .str("expanded")
                .tensor("FloatStorage", "s", 12, 2, new long[] {2, 3}, new long[] {0, 1})
                .str("scalar")
                .tensor("FloatStorage", "s", 12, 11, SCALAR, SCALAR));
        StateDict sd =
                TorchFiles.read(zip(pickle, Map.of("s", TestZips.floats(ByteOrder.LITTLE_ENDIAN, TestZips.range(12)))));
        assertArrayEquals(
                new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11},
                sd.get("transposed").data());
        assertArrayEquals(new float[] {5, 6, 9, 10}, sd.get("slice").data());
        assertArrayEquals(new float[] {2, 3, 4, 2, 3, 4}, sd.get("expanded").data());
        assertArrayEquals(new float[] {11}, sd.get("scalar").data());
        assertArrayEquals(new int[] {}, sd.get("scalar").shape());
    }

    @Test
    void narrowTypesAreConvertedAndNoted() throws Exception {
        ByteBuffer half = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x3c00)
                .putShort((short) 0xc000)
                .putShort((short) 0x0001)
                .putShort((short) 0x7c00);
        ByteBuffer bf16 = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3fc0);
        ByteBuffer f64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1);
        ByteBuffer i64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong((1L << 53) + 1);
        byte[] pickle = end(dict().str("h")
                .tensor("HalfStorage", "h", 4, 0, new long[] {4}, new long[] {1})
                .str("b")
                .tensor("BFloat16Storage", "b", 1, 0, SCALAR, SCALAR)
                .str("d")
                .tensor("DoubleStorage", "d", 1, 0, SCALAR, SCALAR)
                .str("l")
                .tensor("LongStorage", "l", 1, 0, SCALAR, SCALAR));
        StateDict sd = TorchFiles.read(
                zip(pickle, Map.of("h", half.array(), "b", bf16.array(), "d", f64.array(), "l", i64.array())));
        assertArrayEquals(
                new float[] {1f, -2f, 0x1p-24f, Float.POSITIVE_INFINITY},
                sd.get("h").data());
        assertEquals(DType.FLOAT16, sd.get("h").dtype());
        assertArrayEquals(new float[] {1.5f}, sd.get("b").data());
        assertArrayEquals(new float[] {0.1f}, sd.get("d").data());
        assertArrayEquals(new float[] {(float) ((1L << 53) + 1)}, sd.get("l").data());
        assertEquals(
                List.of(
                        "rounded 1 float64 tensor to float32: 'd'",
                        "widened 1 float16 tensor to float32 (exactly): 'h'",
                        "widened 1 bfloat16 tensor to float32 (exactly): 'b'",
                        "integers beyond 2^24, which float32 cannot all hold exactly, were rounded in 'l'"),
                sd.notes());
    }

    @Test
    void aCheckpointIsUnwrappedAndItsOtherEntriesNoted() throws Exception {
        byte[] pickle = end(PickleBytes.protocol(2)
                .op(PickleOpcodes.EMPTY_DICT)
                .op(PickleOpcodes.MARK)
                .str("epoch")
                .integer(3)
                .str("state_dict")
                .orderedDict()
                .op(PickleOpcodes.MARK)
                .str("w")
                .tensor("FloatStorage", "0", 1, 0, SCALAR, SCALAR)
                .op(PickleOpcodes.SETITEMS)
                .str("optimizer")
                .op(PickleOpcodes.EMPTY_DICT));
        StateDict sd = TorchFiles.read(zip(pickle, Map.of("0", TestZips.floats(ByteOrder.LITTLE_ENDIAN, 7f))));
        assertEquals(List.of("w"), List.copyOf(sd.keys()));
        assertEquals(
                List.of("read the tensors of checkpoint entry 'state_dict'; ignored 'epoch' (an int),"
                        + " 'optimizer' (a dict)"),
                sd.notes());
    }

    @Test
    void aNonTensorEntryIsNamedWithItsType() throws Exception {
        byte[] pickle = end(dict().str("w")
                .tensor("FloatStorage", "0", 1, 0, SCALAR, SCALAR)
                .str("epoch")
                .integer(3));
        Path file = zip(pickle, Map.of("0", TestZips.floats(ByteOrder.LITTLE_ENDIAN, 7f)));
        assertTrue(failure(file).startsWith(file + ": key 'epoch' holds an int, not a tensor;"), failure(file));
    }

    @Test
    void aListIsNotAStateDict() throws Exception {
        Path file = zip(PickleBytes.protocol(2).op(PickleOpcodes.EMPTY_LIST).stop(), Map.of());
        assertEquals(
                file + ": the file holds a list, not a state dict (a dict of name → tensor) or a model", failure(file));
    }

    @Test
    void aViewBeyondItsStorageIsRefused() throws Exception {
        byte[] pickle = end(dict().str("w").tensor("FloatStorage", "0", 4, 1, new long[] {2, 2}, new long[] {2, 1}));
        Path file = zip(pickle, Map.of("0", TestZips.floats(ByteOrder.LITTLE_ENDIAN, TestZips.range(4))));
        assertEquals(
                file + ": key 'w' (shape [2, 2], stride [2, 1], offset 1) reaches element 4 of its storage"
                        + " in record 'archive/data/0', which holds 4 float32 elements",
                failure(file));
    }

    @Test
    void aRecordSmallerThanItsStorageIsRefused() throws Exception {
        byte[] pickle = end(dict().str("w").tensor("FloatStorage", "0", 6, 0, new long[] {6}, new long[] {1}));
        Path file = zip(pickle, Map.of("0", TestZips.floats(ByteOrder.LITTLE_ENDIAN, TestZips.range(5))));
        assertEquals(
                file + ": record 'archive/data/0' holds 20 bytes, but its storage of 6 float32 elements" + " needs 24",
                failure(file));
    }

    @Test
    void aMissingStorageRecordIsNamed() throws Exception {
        byte[] pickle = end(dict().str("w").tensor("FloatStorage", "9", 1, 0, SCALAR, SCALAR));
        Path file = zip(pickle, Map.of());
        assertEquals(file + ": storage record 'archive/data/9' is missing", failure(file));
    }

    @Test
    void aQuantizedTensorIsRefusedByKey() throws Exception {
        byte[] pickle = end(dict().str("fc.bias")
                .tensor("FloatStorage", "0", 1, 0, SCALAR, SCALAR)
                .str("conv1.weight")
                .global("torch._utils", "_rebuild_qtensor")
                .op(PickleOpcodes.MARK)
                .storage("QInt8Storage", "1", "cpu", 4)
                .integer(0)
                .tuple(4)
                .tuple(1)
                .op(PickleOpcodes.MARK)
                .global("torch", "per_tensor_affine")
                .binFloat(0.1)
                .integer(0)
                .op(PickleOpcodes.TUPLE)
                .op(PickleOpcodes.NEWFALSE)
                .orderedDict()
                .op(PickleOpcodes.TUPLE)
                .op(PickleOpcodes.REDUCE));
        Path file = zip(pickle, Map.of("0", TestZips.floats(ByteOrder.LITTLE_ENDIAN, 1f), "1", new byte[4]));
        assertEquals(
                file + ": key 'conv1.weight' is a quantized tensor (torch._utils._rebuild_qtensor):"
                        + " quantized models are not supported; convert the float model",
                failure(file));
    }

    @Test
    void storagesOnOtherDevicesAreReadAndNoted() throws Exception {
        PickleBytes p = dict().str("w")
                .global("torch._utils", "_rebuild_tensor_v2")
                .op(PickleOpcodes.MARK)
                .storage("FloatStorage", "0", "cuda:0", 1)
                .integer(0)
                .tuple()
                .tuple()
                .op(PickleOpcodes.NEWFALSE)
                .orderedDict()
                .op(PickleOpcodes.TUPLE)
                .op(PickleOpcodes.REDUCE);
        StateDict sd = TorchFiles.read(zip(end(p), Map.of("0", TestZips.floats(ByteOrder.LITTLE_ENDIAN, 3f))));
        assertArrayEquals(new float[] {3f}, sd.get("w").data());
        assertEquals(
                List.of("tensors saved on device 'cuda:0' were read from their bytes like CPU tensors"
                        + " (as torch.load with map_location='cpu' does)"),
                sd.notes());
    }
}
