package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.statedict.WeightFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.ZipFile;

import static io.vecnn.converter.torchfile.PickleOpcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Storage persistent ids of six fields, {@code ('storage', storage_type, key, location, numel, None)}, as
 * some PyTorch 1.x releases wrote them (a TorchScript file of an Android app has them): torch.save zips
 * and TorchScript archives holding them read like the five-field form, and anything but None in the sixth
 * field, or a seventh field, is refused with a message naming it.
 */
class TorchZipStorageIdsTest {
    private static final Consumer<PickleBytes> NONE_FIELD = p -> p.op(NONE);

    @TempDir
    Path dir;

    private static String failure(Path file) {
        return assertThrows(VecnnException.class, () -> TorchFiles.read(file)).getMessage();
    }

    @Test
    void aTorchSaveZipWithSixFieldIdsReadsAsWritten() throws IOException {
        StateDict written = TorchZipRoundTripTest.sample();
        Path six = dir.resolve("six.pth");
        TorchZipWriter.write(written, six, TorchZipWriter.StorageIds.SIX_FIELDS);
        assertEquals(
                List.of(6), idSizes(six, "archive/data.pkl").stream().distinct().toList());

        StateDict read = TorchFiles.read(six);
        assertEquals(WeightFormat.ZIP, read.format());
        TorchZipRoundTripTest.assertSameTensors(written, read);
        Path five = dir.resolve("five.pth");
        TorchZipWriter.write(written, five);
        assertEquals(
                List.of(5),
                idSizes(five, "archive/data.pkl").stream().distinct().toList());
        assertEquals(TorchFiles.read(five).notes(), read.notes());
    }

    @Test
    void aTorchScriptArchiveWithSixFieldIdsReadsAsWritten() throws IOException {
        Map<String, TorchTensor> written = new LinkedHashMap<>();
        written.put("w", new TorchTensor(DType.FLOAT32, new int[] {2, 3}, ramp(6, 0.25f, -1)));
        written.put("b", new TorchTensor(DType.FLOAT32, new int[] {4}, ramp(4, -1.5f, 0.5f)));
        PickleBytes pickle = PickleBytes.protocol(2)
                .newObject("__torch__", "Net")
                .str("training")
                .op(NEWFALSE);
        Map<String, byte[]> storages = new LinkedHashMap<>();
        for (Map.Entry<String, TorchTensor> e : written.entrySet()) {
            String storageKey = Integer.toString(storages.size());
            float[] data = e.getValue().data();
            int[] shape = e.getValue().shape();
            pickle.str(e.getKey())
                    .tensor("FloatStorage", storageKey, data.length, 0, longs(shape), stride(shape), NONE_FIELD);
            storages.put(storageKey, TestZips.floats(ByteOrder.LITTLE_ENDIAN, data));
        }
        Path file = torchScript("six.script.pt", pickle.op(SETITEMS).op(BUILD).stop(), storages);
        assertEquals(List.of(6, 6), idSizes(file, "net/data.pkl"));

        StateDict read = TorchFiles.read(file);
        assertEquals(WeightFormat.TORCHSCRIPT, read.format());
        TorchZipRoundTripTest.assertSameTensors(new StateDict(written), read);
    }

    @Test
    void aSixthFieldOtherThanNoneIsRefusedNamingTheStorage() throws IOException {
        Map<String, Consumer<PickleBytes>> sixthFields = new LinkedHashMap<>();
        sixthFields.put("a str", p -> p.str("view"));
        // What the legacy format puts there for a storage view: (view key, offset, size).
        sixthFields.put(
                "a tuple", p -> p.op(MARK).str("1").integer(0).integer(4).op(TUPLE));
        sixthFields.put("an int", p -> p.integer(0));
        for (Map.Entry<String, Consumer<PickleBytes>> sixth : sixthFields.entrySet()) {
            String problem = "has " + sixth.getKey() + " as its sixth field, where the zip format has None or nothing";
            Bad bad = stateDictWithId(sixth.getValue());
            Path zip = TestZips.torchZip(
                    dir.resolve("sixth.pt"), "archive/", bad.pickle(), Map.of("0", new byte[16]), "little");
            assertEquals(
                    zip + ": persistent id of storage '0' at byte " + bad.at() + " " + problem
                            + " (in record 'archive/data.pkl')",
                    failure(zip));

            Bad badModule = moduleWithId(sixth.getValue());
            Path script = torchScript("sixth.script.pt", badModule.pickle(), Map.of("0", new byte[16]));
            assertEquals(
                    script + ": TorchScript archive: persistent id of storage '0' at byte " + badModule.at() + " "
                            + problem + " (in record 'net/data.pkl')",
                    failure(script));
        }
    }

    @Test
    void sevenFieldsAreRefused() throws IOException {
        String problem = " is a tuple of 7 fields but not ('storage', storage_type, key, location, numel) or"
                + " ('storage', storage_type, key, location, numel, None)";
        Consumer<PickleBytes> twoNones = p -> p.op(NONE).op(NONE);
        Bad bad = stateDictWithId(twoNones);
        Path zip =
                TestZips.torchZip(dir.resolve("seven.pt"), "archive/", bad.pickle(), Map.of("0", new byte[16]), null);
        assertEquals(
                zip + ": persistent id at byte " + bad.at() + problem + " (in record 'archive/data.pkl')",
                failure(zip));

        Bad badModule = moduleWithId(twoNones);
        Path script = torchScript("seven.script.pt", badModule.pickle(), Map.of("0", new byte[16]));
        assertEquals(
                script + ": TorchScript archive: persistent id at byte " + badModule.at() + problem
                        + " (in record 'net/data.pkl')",
                failure(script));
    }

    /** A pickle and the byte of the BINPERSID whose id is at fault. */
    private record Bad(byte[] pickle, int at) {}

    /** A state dict {'w': tensor of 4 floats} whose storage id carries {@code extra} after numel. */
    private static Bad stateDictWithId(Consumer<PickleBytes> extra) {
        PickleBytes p = PickleBytes.protocol(2).orderedDict().op(MARK).str("w");
        return withTensor(p, extra, SETITEMS);
    }

    /** A TorchScript module whose one parameter's storage id carries {@code extra} after numel. */
    private static Bad moduleWithId(Consumer<PickleBytes> extra) {
        PickleBytes p = PickleBytes.protocol(2)
                .newObject("__torch__", "Net")
                .str("training")
                .op(NEWFALSE)
                .str("w");
        return withTensor(p, extra, SETITEMS, BUILD);
    }

    private static Bad withTensor(PickleBytes p, Consumer<PickleBytes> extra, int... closing) {
        p.global("torch._utils", "_rebuild_tensor_v2").op(MARK).storage("FloatStorage", "0", "cpu", 4, extra);
        int at = p.length() - 1;
        p.integer(0).tuple(4).tuple(1).op(NEWFALSE).orderedDict().op(TUPLE).op(REDUCE);
        for (int op : closing) {
            p.op(op);
        }
        return new Bad(p.stop(), at);
    }

    /** A torch.jit.save archive of class Net, whose parameter is 'w' and buffer 'b', under the folder net/. */
    private Path torchScript(String name, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("net/data.pkl", pickle);
        records.put(
                "net/code/__torch__.py",
                ("class Net(Module):\n  __parameters__ = [\"w\", ]\n  __buffers__ = [\"b\", ]\n"
                                + "  w : Tensor\n  b : Tensor\n")
                        .getBytes(StandardCharsets.UTF_8));
        records.put("net/constants.pkl", PickleBytes.protocol(2).op(EMPTY_TUPLE).stop());
        storages.forEach((key, bytes) -> records.put("net/data/" + key, bytes));
        records.put("net/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return TestZips.write(dir.resolve(name), records);
    }

    /** How many fields each storage persistent id in the record {@code pickleName} has, in order. */
    private static List<Integer> idSizes(Path file, String pickleName) throws IOException {
        byte[] pickle;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            pickle = zip.getInputStream(zip.getEntry(pickleName)).readAllBytes();
        }
        List<Integer> sizes = new ArrayList<>();
        ZipStorageIds ids = new ZipStorageIds();
        PickleVm.load(pickle, (pid, at) -> {
            sizes.add(((PickleTuple) pid).size());
            return ids.load(pid, at);
        });
        return sizes;
    }

    private static float[] ramp(int n, float step, float start) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = start + i * step;
        }
        return v;
    }

    private static long[] longs(int[] shape) {
        long[] wide = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            wide[d] = shape[d];
        }
        return wide;
    }

    /** Contiguous row-major strides. */
    private static long[] stride(int[] shape) {
        long[] stride = new long[shape.length];
        long step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = step;
            step *= shape[d];
        }
        return stride;
    }
}
