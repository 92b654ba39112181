package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The front door tells the formats apart and names what is wrong with files that are none of them. */
class TorchFilesTest {

    @TempDir
    Path dir;

    private String failure(Path file) {
        return assertThrows(VecnnException.class, () -> TorchFiles.read(file)).getMessage();
    }

    @Test
    void missingEmptyAndDirectoryAreNamed() throws Exception {
        assertEquals("no such file: " + dir.resolve("nope.pth"), failure(dir.resolve("nope.pth")));
        Path empty = Files.createFile(dir.resolve("empty.pth"));
        assertEquals("empty file: " + empty + " (0 bytes), not a PyTorch file", failure(empty));
        assertEquals("not a file but a directory: " + dir, failure(dir));
    }

    @Test
    void otherFilesShowTheirFirstBytes() throws Exception {
        Path html = Files.writeString(dir.resolve("model.pth"), "<!DOCTYPE html>");
        assertEquals("not a PyTorch file: " + html + " (first bytes: 3c 21 44 4f 43 54 59 50)", failure(html));
    }

    @Test
    void aCutLegacyPickleIsNamedAsTruncated() throws Exception {
        Path legacy = Files.write(dir.resolve("old.pth"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c});
        assertEquals(
                legacy + ": pickle truncated at byte 5: LONG1 at byte 2 needs 10 bytes, 1 remain", failure(legacy));
    }

    @Test
    void aLegacyFileWithAnotherMagicNumberIsRefused() throws Exception {
        Path other = Files.write(
                dir.resolve("other.pth"), PickleBytes.protocol(2).integer(42).stop());
        assertEquals(
                other + ": the first pickle holds an int other than torch.save's magic number: not a legacy"
                        + " torch.save file",
                failure(other));
    }

    @Test
    void tarTruncationAndDamageAreDetected() throws Exception {
        byte[] tar = new byte[512 * 4];
        TestTars.header(tar, 0, "sys_info", 5);
        TestTars.header(tar, 1024, "storages", 300);
        Path cut = Files.write(dir.resolve("cut.pth"), Arrays.copyOf(tar, 1024 + 512 + 100));
        assertEquals(
                "truncated or corrupt tar: " + cut + " is in the tar-based torch.save format of the first"
                        + " PyTorch releases (0.1.x), and entry 'storages' declares 300 bytes from byte 1536 but the file"
                        + " ends at byte 1636",
                failure(cut));
        byte[] damaged = Arrays.copyOf(tar, 512 * 6);
        damaged[1024 + 3] ^= 1;
        Path bad = Files.write(dir.resolve("bad.pth"), damaged);
        assertTrue(failure(bad).endsWith("and the header at byte 1024 has a wrong checksum"), failure(bad));
        byte[] onlySysInfo = new byte[512 * 4];
        TestTars.header(onlySysInfo, 0, "sys_info", 5);
        Path whole = Files.write(dir.resolve("whole.pth"), onlySysInfo);
        assertEquals(
                whole + " (the tar-based torch.save format of the first PyTorch releases (0.1.x)): the tar has"
                        + " no member 'storages' (it has [sys_info])",
                failure(whole));
    }

    @Test
    void aTorchScriptArchiveWithoutAModuleIsNamed() throws Exception {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(
                "net/data.pkl", PickleBytes.protocol(2).op(PickleOpcodes.NONE).stop());
        records.put("net/code/__torch__.py", new byte[0]);
        records.put("net/constants.pkl", new byte[0]);
        Path scripted = TestZips.write(dir.resolve("scripted.pt"), records);
        assertEquals(scripted + ": TorchScript archive whose data.pkl holds None, not a module", failure(scripted));
        Path v1 = TestZips.write(
                dir.resolve("v1.pt"), Map.of("m/model.json", "{".getBytes(), "m/tensors/0", new byte[4]));
        assertTrue(
                failure(v1).startsWith(v1 + ": TorchScript 1.0 archive: record 'm/model.json' is not valid JSON"),
                failure(v1));
    }

    @Test
    void zipsWithoutAPickleAreNotTorchFiles() throws Exception {
        Path npz = TestZips.write(dir.resolve("weights.npz"), Map.of("w.npy", new byte[8]));
        assertEquals(
                npz + " is a zip file without a data.pkl record, so not a torch.save file (its first entries:"
                        + " w.npy)",
                failure(npz));
    }
}
