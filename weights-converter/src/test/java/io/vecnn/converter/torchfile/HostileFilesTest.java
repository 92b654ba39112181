package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.vecnn.converter.torchfile.PickleOpcodes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files built to attack the reader: code execution in every container, nesting meant to overflow the
 * stack, sizes and offsets meant to overflow buffers or exhaust memory. Each must end quickly in a
 * VecnnException that says what is wrong.
 */
class HostileFilesTest {
    private static final Duration FAST = Duration.ofSeconds(10);
    private static final int DEEP = 100_000;

    @TempDir
    Path dir;

    private String failure(Path file) {
        return assertTimeoutPreemptively(FAST, () -> assertThrows(VecnnException.class, () -> TorchFiles.read(file)))
                .getMessage();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] stateDictHolding(PickleBytes value) {
        return value.op(SETITEMS).stop();
    }

    private static PickleBytes dictWithKey(String key) {
        return PickleBytes.protocol(2).orderedDict().op(MARK).str(key);
    }

    /** The same pickle as the object of each container torch writes. */
    private Map<String, Path> inEveryContainer(String name, byte[] pickle) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("zip", TestZips.torchZip(dir.resolve(name + ".zip.pt"), "archive/", pickle, Map.of(), "little"));
        files.put("legacy", write(name + ".legacy.pt", LegacyFiles.file(pickle, List.of(), new long[0], List.of())));
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put(
                "storages",
                TestTars.concat(
                        PickleBytes.protocol(2).op(BININT1).op(0).stop(),
                        PickleBytes.protocol(2).op(EMPTY_LIST).stop()));
        members.put("tensors", PickleBytes.protocol(2).op(BININT1).op(0).stop());
        members.put("pickle", pickle);
        files.put("tar", write(name + ".tar.pt", TestTars.tar(members)));
        Map<String, byte[]> script = new LinkedHashMap<>();
        script.put("net/data.pkl", pickle);
        script.put(
                "net/code/__torch__.py",
                "class Net(Module):\n  __parameters__ = []\n  __buffers__ = []\n".getBytes(StandardCharsets.UTF_8));
        script.put("net/constants.pkl", PickleBytes.protocol(2).op(EMPTY_TUPLE).stop());
        files.put("TorchScript", TestZips.write(dir.resolve(name + ".script.pt"), script));
        return files;
    }

    @Test
    void codeExecutionIsRefusedByNameInEveryContainerAndNothingRuns() throws IOException {
        Path witness = dir.resolve("pwned");
        String[][] attacks = {
            {"posix", "system"},
            {"os", "system"},
            {"nt", "system"},
            {"builtins", "eval"},
            {"builtins", "exec"},
            {"__builtin__", "eval"},
            {"subprocess", "Popen"},
            {"os", "popen"}
        };
        for (String[] attack : attacks) {
            // What pickle.dumps writes for an object whose __reduce__ returns (function, (command,)).
            byte[] pickle = stateDictHolding(dictWithKey("w")
                    .global(attack[0], attack[1])
                    .str("touch " + witness)
                    .op(TUPLE1)
                    .op(REDUCE));
            for (Map.Entry<String, Path> file :
                    inEveryContainer(attack[0] + "." + attack[1], pickle).entrySet()) {
                String message = failure(file.getValue());
                assertTrue(
                        message.contains("refused pickle global '" + attack[0] + "." + attack[1] + "' at byte "),
                        file.getKey() + ": " + message);
            }
        }
        assertFalse(Files.exists(witness));
    }

    @Test
    void aFunctionCallInsideAWholeModelIsRefusedByName() throws IOException {
        byte[] pickle = PickleBytes.protocol(2)
                .newObject("__main__", "Net")
                .str("_modules")
                .op(EMPTY_DICT)
                .str("_parameters")
                .op(EMPTY_DICT)
                .str("hook")
                .global("numpy", "load")
                .str("/etc/passwd")
                .op(TUPLE1)
                .op(REDUCE)
                .op(SETITEMS)
                .op(BUILD)
                .stop();
        for (Path file : inEveryContainer("hook", pickle).values()) {
            assertTrue(failure(file).contains("refused call of 'numpy.load' at byte "), failure(file));
        }
    }

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() throws IOException {
        PickleBytes lists = dictWithKey("w");
        for (int i = 0; i < DEEP; i++) {
            lists.op(EMPTY_LIST);
        }
        for (int i = 1; i < DEEP; i++) {
            lists.op(APPEND);
        }
        PickleBytes tuples = dictWithKey("w").op(EMPTY_TUPLE);
        for (int i = 0; i < DEEP; i++) {
            tuples.op(TUPLE1);
        }
        PickleBytes dicts = dictWithKey("w");
        for (int i = 0; i < DEEP; i++) {
            dicts.op(EMPTY_DICT).shortStr("d");
        }
        dicts.op(EMPTY_DICT);
        for (int i = 0; i < DEEP; i++) {
            dicts.op(SETITEM);
        }
        PickleBytes marks = dictWithKey("w");
        for (int i = 0; i < DEEP; i++) {
            marks.op(MARK);
        }
        for (int i = 0; i < DEEP; i++) {
            marks.op(TUPLE);
        }
        String[] kinds = {"a list", "a tuple", "a dict", "a tuple"};
        PickleBytes[] nested = {lists, tuples, dicts, marks};
        for (int k = 0; k < nested.length; k++) {
            for (Path file :
                    inEveryContainer("nested" + k, stateDictHolding(nested[k])).values()) {
                String message = failure(file);
                assertTrue(
                        message.contains("key 'w' holds " + kinds[k] + ", not a tensor")
                                || message.contains("data.pkl holds a dict, not a module"),
                        message);
            }
        }
    }

    @Test
    void aModuleTreeNestedDeeperThanAnyModelIsRefused() throws IOException {
        // Built from the innermost module out, each new module holding the previous one (kept in memo 0).
        PickleBytes p = PickleBytes.protocol(2)
                .global("__main__", "Block")
                .op(BINPUT)
                .op(1)
                .op(POP)
                .op(NONE)
                .op(BINPUT)
                .op(0)
                .op(POP);
        for (int i = 0; i < DEEP; i++) {
            p.op(BINGET).op(1).op(EMPTY_TUPLE).op(NEWOBJ);
            buildWithChildInMemo0(p, "m").op(BINPUT).op(0).op(POP);
        }
        Path file = TestZips.torchZip(
                dir.resolve("deep.pt"), "archive/", p.op(BINGET).op(0).stop(), Map.of(), null);
        String message = failure(file);
        assertTrue(message.startsWith(file + ": in the pickled model __main__.Block: module 'm.m.m."), message);
        assertTrue(message.endsWith("is nested more than 1000 modules deep (does the tree contain itself?)"), message);
    }

    @Test
    void aModuleThatContainsItselfEndsAtTheKeyLengthLimit() throws IOException {
        PickleBytes loop = PickleBytes.protocol(2)
                .global("__main__", "Loop")
                .op(EMPTY_TUPLE)
                .op(NEWOBJ)
                .op(BINPUT)
                .op(0);
        byte[] pickle = buildWithChildInMemo0(loop, "again").stop();
        Path file = TestZips.torchZip(dir.resolve("loop.pt"), "archive/", pickle, Map.of(), null);
        assertTrue(
                failure(file)
                        .startsWith(file + ": in the pickled model __main__.Loop: a key under module"
                                + " 'again.again.again."),
                failure(file));
        assertTrue(failure(file).endsWith("...' is longer than 4096 characters"), failure(file));
    }

    @Test
    void offsetsPastTheEndOfTheirStorageAreRefused() throws IOException {
        Path zip = TestZips.torchZip(
                dir.resolve("offset.pt"),
                "archive/",
                stateDictHolding(
                        dictWithKey("w").tensor("FloatStorage", "0", 4, 1L << 40, new long[] {2}, new long[] {1})),
                Map.of("0", TestZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4)),
                null);
        assertEquals(
                zip + ": key 'w' (shape [2], stride [1], offset 1099511627776) reaches element 1099511627777 of"
                        + " its storage in record 'archive/data/0', which holds 4 float32 elements",
                failure(zip));

        byte[] view = stateDictHolding(dictWithKey("w")
                .legacyTensor("FloatStorage", "7", 4, new Object[] {"8", 3L, 2L}, 0, new long[] {2}, new long[] {1}));
        Path legacy = writeLegacyOverStorage7("view.pt", view);
        assertTrue(failure(legacy).startsWith(legacy + ": storage view '8' at byte "), failure(legacy));
        assertTrue(failure(legacy).endsWith(" covers elements 3 to 5 of storage '7', which holds 4"), failure(legacy));

        byte[] beyond = stateDictHolding(dictWithKey("w")
                .legacyTensor("FloatStorage", "7", 4, new Object[] {"8", 1L, 2L}, 1, new long[] {2}, new long[] {1}));
        Path legacyTensor = writeLegacyOverStorage7("beyond.pt", beyond);
        assertEquals(
                legacyTensor + ": key 'w' (shape [2], stride [1], offset 1) reaches element 2 of its storage in"
                        + " storage '7' at byte " + storageDataAt(beyond) + ", which holds 2 float32 elements",
                failure(legacyTensor));
    }

    @Test
    void tarViewsAndTensorsBeyondTheirStorageAreRefused() throws IOException {
        Path view = write("tar-view.pt", TestTars.oneStorage(new long[] {9, 1, 3, 2}, 0, new long[] {2}));
        assertTrue(
                failure(view)
                        .endsWith(": storage view '9' at byte 69 covers elements 3 to 5 of storage '1',"
                                + " which holds 4 (in tar member 'storages', which starts at byte 512)"),
                failure(view));
        Path tensor = write("tar-tensor.pt", TestTars.oneStorage(null, 3, new long[] {2}));
        assertTrue(
                failure(tensor)
                        .contains(": key 'w' (shape [2], stride [1], offset 3) reaches element 4 of its"
                                + " storage in storage '1' at byte "),
                failure(tensor));
    }

    /**
     * Gives the module on top of the stack no parameters and one child, {@code name}, the object in memo 0:
     * the previous module when nesting, the module itself when it loops.
     */
    private static PickleBytes buildWithChildInMemo0(PickleBytes p, String name) {
        return p.op(EMPTY_DICT)
                .shortStr("_parameters")
                .op(EMPTY_DICT)
                .op(SETITEM)
                .shortStr("_modules")
                .op(EMPTY_DICT)
                .shortStr(name)
                .op(BINGET)
                .op(0)
                .op(SETITEM)
                .op(SETITEM)
                .op(BUILD);
    }

    /** A legacy file whose one storage, key "7", holds the floats 1, 2, 3, 4, under {@code pickle}. */
    private Path writeLegacyOverStorage7(String name, byte[] pickle) throws IOException {
        return write(
                name,
                LegacyFiles.file(
                        pickle,
                        List.of("7"),
                        new long[] {4},
                        List.of(TestZips.floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4))));
    }

    /** Where the first storage's elements start in a legacy file made by {@link LegacyFiles} with key "7". */
    private static long storageDataAt(byte[] pickle) {
        return LegacyFiles.header().length
                + pickle.length
                + PickleBytes.protocol(2)
                        .op(EMPTY_LIST)
                        .op(MARK)
                        .str("7")
                        .op(APPENDS)
                        .stop()
                        .length
                + 8;
    }

    @Test
    void negativeSizesCountsAndStridesAreRefused() throws IOException {
        Path size = TestZips.torchZip(
                dir.resolve("size.pt"),
                "archive/",
                stateDictHolding(dictWithKey("w").tensor("FloatStorage", "0", 4, 0, new long[] {-2}, new long[] {1})),
                Map.of("0", new byte[16]),
                null);
        assertTrue(failure(size).contains("torch._utils._rebuild_tensor_v2 at byte "), failure(size));
        assertTrue(
                failure(size).endsWith(": size[0] is -2, not a non-negative int (in record 'archive/data.pkl')"),
                failure(size));
        Path stride = TestZips.torchZip(
                dir.resolve("stride.pt"),
                "archive/",
                stateDictHolding(dictWithKey("w").tensor("FloatStorage", "0", 4, 0, new long[] {2}, new long[] {-1})),
                Map.of("0", new byte[16]),
                null);
        assertTrue(failure(stride).contains("stride[0] is -1, not a non-negative int"), failure(stride));
        Path numel = TestZips.torchZip(
                dir.resolve("numel.pt"),
                "archive/",
                stateDictHolding(dictWithKey("w").tensor("FloatStorage", "0", -4, 0, new long[] {2}, new long[] {1})),
                Map.of("0", new byte[16]),
                null);
        assertTrue(failure(numel).contains("instead of (storage type, str key, str location, numel)"), failure(numel));

        byte[] pickle = stateDictHolding(
                dictWithKey("w").legacyTensor("FloatStorage", "7", 4, null, 0, new long[] {4}, new long[] {1}));
        Path count = write("count.pt", LegacyFiles.file(pickle, List.of("7"), new long[] {-1}, List.of(new byte[16])));
        assertTrue(
                failure(count).endsWith(" holds 18446744073709551615 elements, but the pickle declares 4"),
                failure(count));
    }

    @Test
    void hugeDeclaredSizesAreRefusedBeforeAnythingIsAllocated() throws IOException {
        long huge = 1L << 40;
        Path storage = TestZips.torchZip(
                dir.resolve("numel.pt"),
                "archive/",
                stateDictHolding(
                        dictWithKey("w").tensor("FloatStorage", "0", huge, 0, new long[] {huge}, new long[] {1})),
                Map.of("0", new byte[16]),
                null);
        assertTrue(
                failure(storage)
                        .endsWith("size[0] = 1099511627776 is larger than a dimension can be (in record"
                                + " 'archive/data.pkl')"),
                failure(storage));
        Path record = TestZips.torchZip(
                dir.resolve("record.pt"),
                "archive/",
                stateDictHolding(dictWithKey("w").tensor("FloatStorage", "0", huge, 0, new long[] {4}, new long[] {1})),
                Map.of("0", new byte[16]),
                null);
        assertEquals(
                record + ": record 'archive/data/0' holds 16 bytes, but its storage of 1099511627776 float32"
                        + " elements needs 4398046511104",
                failure(record));
        Path shape = TestZips.torchZip(
                dir.resolve("shape.pt"),
                "archive/",
                stateDictHolding(dictWithKey("w")
                        .tensor("FloatStorage", "0", 4, 0, new long[] {65536, 65536}, new long[] {0, 0})),
                Map.of("0", new byte[16]),
                null);
        assertEquals(
                shape + ": key 'w' has shape [65536, 65536], more elements than a Java array holds (2147483639)",
                failure(shape));
        Path expanded = TestZips.torchZip(
                dir.resolve("expanded.pt"),
                "archive/",
                stateDictHolding(
                        dictWithKey("w").tensor("FloatStorage", "0", 1, 0, new long[] {1 << 30}, new long[] {0})),
                Map.of("0", new byte[4]),
                null);
        assertEquals(
                expanded + ": key 'w' (shape [1073741824], stride [0], offset 0) would bring the tensors read to"
                        + " 1073741824 values, but the file stores only 1 elements: refusing views that expand them more than"
                        + " 4 times",
                failure(expanded));
        Path string = TestZips.torchZip(
                dir.resolve("string.pt"),
                "archive/",
                PickleBytes.protocol(4).op(BINUNICODE8).int32(0).int32(1 << 30).stop(),
                Map.of(),
                null);
        assertTrue(
                failure(string)
                        .contains("pickle truncated at byte 12: BINUNICODE8 at byte 2 needs"
                                + " 4611686018427387904 bytes, 1 remain"),
                failure(string));

        byte[] pickle = stateDictHolding(
                dictWithKey("w").legacyTensor("FloatStorage", "7", huge, null, 0, new long[] {4}, new long[] {1}));
        Path legacy =
                write("legacy.pt", LegacyFiles.file(pickle, List.of("7"), new long[] {huge}, List.of(new byte[16])));
        assertTrue(
                failure(legacy)
                        .contains(": file truncated: storage '7' needs 1099511627776 float32 elements from" + " byte "),
                failure(legacy));

        byte[] tar = new byte[512 * 3];
        TestTars.header(tar, 0, "storages", 077777777777L);
        assertTrue(
                failure(write("tar.pt", tar))
                        .endsWith("and entry 'storages' declares 8589934591 bytes from"
                                + " byte 512 but the file ends at byte 1536"),
                failure(write("tar.pt", tar)));
    }

    @Test
    void aZipBombIsRefusedBeforeInflating() throws IOException {
        long gib = 1L << 30;
        byte[] pickle = stateDictHolding(
                dictWithKey("w").tensor("FloatStorage", "0", gib / 4, 0, new long[] {gib / 4}, new long[] {1}));
        Path bomb = ZipBombs.write(dir.resolve("bomb.pt"), pickle, "archive/data/0", gib);
        assertTrue(Files.size(bomb) < 2 << 20, "bomb of " + Files.size(bomb) + " bytes");
        String message = failure(bomb);
        assertTrue(
                message.matches(
                        "\\Q" + bomb + ": record 'archive/data/0' would inflate from \\E[0-9]+ to 1073741824"
                                + " bytes \\([0-9]+:1\\), more than the 100:1 weights can compress: refusing a likely zip bomb"),
                message);

        Path pickleBomb = ZipBombs.write(dir.resolve("pickle-bomb.pt"), null, "archive/data.pkl", gib);
        assertTrue(
                failure(pickleBomb).startsWith(pickleBomb + ": record 'archive/data.pkl' would inflate from "),
                failure(pickleBomb));
    }

    @Test
    void manyDeflatedRecordsTogetherMayNotInflateWithoutLimit() throws IOException {
        int records = 300;
        int floats = 250_000;
        PickleBytes p = PickleBytes.protocol(2).orderedDict().op(MARK);
        for (int i = 0; i < records; i++) {
            p.str("w" + i).tensor("FloatStorage", Integer.toString(i), floats, 0, new long[] {floats}, new long[] {1});
        }
        Path file = ZipBombs.writeMany(dir.resolve("many.pt"), p.op(SETITEMS).stop(), records, floats * 4);
        String message = failure(file);
        assertTrue(
                message.startsWith(file + ": the deflated records would inflate to more than 268435456 bytes, 20"
                        + " times the file's size, at record 'archive/data/"),
                message);
    }

    @Test
    void entryNamesThatEscapeTheArchiveAreRefused() throws IOException {
        for (String name : List.of(
                "../evil.pkl", "/etc/data.pkl", "archive/../../data.pkl", "C:/data.pkl", "archive\\..\\data.pkl")) {
            Map<String, byte[]> records = new LinkedHashMap<>();
            records.put(
                    "archive/data.pkl", PickleBytes.protocol(2).op(EMPTY_DICT).stop());
            records.put(name, new byte[1]);
            Path file = TestZips.write(dir.resolve("escape.pt"), records);
            assertEquals(
                    file + ": zip entry '" + name + "' is an absolute path or climbs out of the archive with"
                            + " '..': refusing the file",
                    failure(file));
        }
    }
}
