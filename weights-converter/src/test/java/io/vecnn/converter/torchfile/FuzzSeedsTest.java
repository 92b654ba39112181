package io.vecnn.converter.torchfile;

import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.testing.CommittedSeeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static io.vecnn.converter.torchfile.PickleOpcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The small seeds committed in the inputs directories of this package's fuzz targets, and the code that
 * makes them: each is one shape of file the readers accept (or refuse late), from which the fuzzer starts.
 * The test keeps the committed files and this code in step ({@link CommittedSeeds}).
 */
class FuzzSeedsTest {
    private static final Path INPUTS = Path.of("src/test/resources/io/vecnn/converter/torchfile");
    private static final long ENTRY_TIME = 1_577_836_800_000L;

    @TempDir
    Path dir;

    @Test
    void committedSeedsAreWhatTheBuildersWrite() throws IOException {
        CommittedSeeds.check(INPUTS, seeds());
    }

    /** A seed the reader refuses early would leave the fuzzer to find the whole format by itself. */
    @Test
    void theFileSeedsAreReadWhole() throws IOException {
        Map<String, Set<String>> keys = new LinkedHashMap<>();
        keys.put("TorchZipFuzzTestInputs/read/seed-writer.pth", Set.of("conv.weight", "bn.num_batches_tracked"));
        keys.put("TorchZipFuzzTestInputs/read/seed-big-endian-old-prefix.pth", Set.of("w"));
        keys.put("TorchZipFuzzTestInputs/read/seed-deflated.pth", Set.of("w"));
        keys.put("TorchZipFuzzTestInputs/read/seed-torchscript.pt", Set.of("w"));
        keys.put("TorchLegacyFuzzTestInputs/read/seed-view.pt", Set.of("w"));
        keys.put("TorchLegacyFuzzTestInputs/read/seed-module-class.pt", Set.of("w"));
        keys.put("TorchTarFuzzTestInputs/read/seed-one-storage.pt", Set.of("w"));
        Map<String, byte[]> seeds = seeds();
        for (Map.Entry<String, Set<String>> e : keys.entrySet()) {
            Path file = Files.write(dir.resolve("read-" + e.getKey().replace('/', '-')), seeds.get(e.getKey()));
            assertEquals(e.getValue(), TorchFiles.read(file).keys(), e.getKey());
        }
    }

    private Map<String, byte[]> seeds() throws IOException {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] floats = TestZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6, 7, 8);

        seeds.put(
                "PickleFuzzTestInputs/zipStorages/seed-state-dict",
                TestTars.concat(
                        StateDictPickler.pickle(List.of(
                                new StateDictPickler.Entry("conv.weight", DType.FLOAT32, new int[] {2, 1, 2, 1}, "0"),
                                new StateDictPickler.Entry("conv.bias", DType.FLOAT32, new int[] {2}, "1"))),
                        floats));
        seeds.put(
                "PickleFuzzTestInputs/zipStorages/seed-transposed-half",
                TestTars.concat(
                        PickleBytes.protocol(2)
                                .orderedDict()
                                .op(MARK)
                                .str("w")
                                .tensor("HalfStorage", "0", 6, 0, new long[] {2, 3}, new long[] {1, 2})
                                .op(SETITEMS)
                                .stop(),
                        floats));
        seeds.put("PickleFuzzTestInputs/zipStorages/seed-checkpoint", TestTars.concat(checkpoint(), floats));
        seeds.put("PickleFuzzTestInputs/zipStorages/seed-whole-module", TestTars.concat(wholeModule(), floats));
        seeds.put("PickleFuzzTestInputs/legacyStorages/seed-view", TestTars.concat(legacyView(), floats));
        seeds.put("PickleFuzzTestInputs/legacyStorages/seed-module-class", TestTars.concat(legacyModule(), floats));

        seeds.put("TorchZipFuzzTestInputs/read/seed-writer.pth", writerZip());
        seeds.put(
                "TorchZipFuzzTestInputs/read/seed-big-endian-old-prefix.pth",
                Files.readAllBytes(TestZips.torchZip(
                        dir.resolve("big.pth"),
                        "lenet/",
                        StateDictPickler.pickle(
                                List.of(new StateDictPickler.Entry("w", DType.FLOAT32, new int[] {2, 2}, "0"))),
                        Map.of("0", TestZips.floats(ByteOrder.BIG_ENDIAN, 1, 2, 3, 4)),
                        "big")));
        seeds.put("TorchZipFuzzTestInputs/read/seed-deflated.pth", deflatedZip());
        seeds.put(
                "TorchZipFuzzTestInputs/read/seed-torchscript.pt",
                Files.readAllBytes(TestZips.write(dir.resolve("script.pt"), torchScriptRecords())));

        byte[] legacy = LegacyFiles.file(
                legacyView(),
                List.of("7"),
                new long[] {4},
                List.of(TestZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4)));
        seeds.put("TorchLegacyFuzzTestInputs/read/seed-view.pt", legacy);
        seeds.put(
                "TorchLegacyFuzzTestInputs/read/seed-module-class.pt",
                LegacyFiles.file(
                        legacyModule(),
                        List.of("7"),
                        new long[] {4},
                        List.of(TestZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4))));

        Map<String, byte[]> members = TestTars.oneStorageMembers(new long[] {9, 1, 1, 2}, 0, new long[] {2});
        seeds.put("TorchTarFuzzTestInputs/read/seed-one-storage.pt", TestTars.tar(members));
        seeds.put("TorchTarFuzzTestInputs/members/seed-one-storage", lengthPrefixed(members));
        return seeds;
    }

    /** {"epoch": 3, "state_dict": {"fc.weight": tensor}}, as a training loop saves it. */
    private static byte[] checkpoint() {
        return PickleBytes.protocol(2)
                .op(EMPTY_DICT)
                .op(MARK)
                .str("epoch")
                .integer(3)
                .str("state_dict")
                .orderedDict()
                .op(MARK)
                .str("fc.weight")
                .tensor("FloatStorage", "0", 8, 0, new long[] {2, 4}, new long[] {4, 1})
                .op(SETITEMS)
                .op(SETITEMS)
                .stop();
    }

    /** torch.save(model) of a module with one parameter and one child holding a buffer. */
    private static byte[] wholeModule() {
        PickleBytes p = PickleBytes.protocol(2)
                .newObject("__main__", "Net")
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
                .op(MARK)
                .str("bn")
                .newObject("torch.nn.modules.batchnorm", "BatchNorm2d")
                .str("_parameters")
                .orderedDict()
                .str("_buffers")
                .orderedDict()
                .op(MARK)
                .str("running_mean")
                .tensor("FloatStorage", "1", 2, 0, new long[] {2}, new long[] {1})
                .op(SETITEMS)
                .str("_modules")
                .orderedDict()
                .str("training")
                .op(NEWFALSE)
                .op(SETITEMS)
                .op(BUILD)
                .op(SETITEMS)
                .op(SETITEMS)
                .op(BUILD);
        return p.stop();
    }

    /** A legacy state dict whose tensor views elements 1..3 of root storage '7' through view '8'. */
    private static byte[] legacyView() {
        return PickleBytes.protocol(2)
                .orderedDict()
                .op(MARK)
                .str("w")
                .legacyTensor("FloatStorage", "7", 4, new Object[] {"8", 1L, 2L}, 0, new long[] {2}, new long[] {1})
                .op(SETITEMS)
                .stop();
    }

    /** A legacy whole model, its class named by the ('module', class, file, source) persistent id. */
    private static byte[] legacyModule() {
        return PickleBytes.protocol(2)
                .op(MARK)
                .str("module")
                .global("__main__", "Net")
                .str("net.py")
                .str("class Net: pass")
                .op(TUPLE)
                .op(BINPERSID)
                .op(EMPTY_TUPLE)
                .op(NEWOBJ)
                .op(EMPTY_DICT)
                .op(MARK)
                .str("_parameters")
                .orderedDict()
                .op(MARK)
                .str("w")
                .legacyTensor("FloatStorage", "7", 4, null, 0, new long[] {2, 2}, new long[] {2, 1})
                .op(SETITEMS)
                .str("_buffers")
                .orderedDict()
                .str("_modules")
                .orderedDict()
                .op(SETITEMS)
                .op(BUILD)
                .stop();
    }

    private byte[] writerZip() throws IOException {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv.weight", new TorchTensor(DType.FLOAT32, new int[] {2, 1, 2, 2}, TestZips.range(8)));
        tensors.put("bn.num_batches_tracked", new TorchTensor(DType.INT64, new int[] {}, new float[] {3}));
        Path file = dir.resolve("writer.pth");
        TorchZipWriter.write(new StateDict(tensors), file);
        return Files.readAllBytes(file);
    }

    /** Deflated records, as zip tools write them when a .pth is re-zipped. */
    private static byte[] deflatedZip() throws IOException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(
                "archive/data.pkl",
                StateDictPickler.pickle(
                        List.of(new StateDictPickler.Entry("w", DType.FLOAT32, new int[] {4, 4}, "0"))));
        records.put("archive/data/0", new byte[64]);
        records.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> r : records.entrySet()) {
                ZipEntry entry = new ZipEntry(r.getKey());
                entry.setTime(ENTRY_TIME);
                zip.putNextEntry(entry);
                zip.write(r.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** torch.jit.save of a module with one parameter 'w', its class declared in code/__torch__.py. */
    private static Map<String, byte[]> torchScriptRecords() {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(
                "net/data.pkl",
                PickleBytes.protocol(2)
                        .newObject("__torch__", "Net")
                        .str("training")
                        .op(NEWFALSE)
                        .str("w")
                        .tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                        .op(SETITEMS)
                        .op(BUILD)
                        .stop());
        records.put(
                "net/code/__torch__.py",
                ("class Net(Module):\n  __parameters__ = [\"w\", ]\n" + "  __buffers__ = []\n  w : Tensor\n")
                        .getBytes(StandardCharsets.UTF_8));
        records.put("net/constants.pkl", PickleBytes.protocol(2).op(EMPTY_TUPLE).stop());
        records.put("net/data/0", TestZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4));
        records.put("net/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return records;
    }

    /** The input of TorchTarFuzzTest#members: the first two members' lengths as 16-bit little-endian, then all three. */
    private static byte[] lengthPrefixed(Map<String, byte[]> members) {
        byte[] storages = members.get("storages");
        byte[] tensors = members.get("tensors");
        byte[] lengths = ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) storages.length)
                .putShort((short) tensors.length)
                .array();
        return TestTars.concat(TestTars.concat(TestTars.concat(lengths, storages), tensors), members.get("pickle"));
    }
}
