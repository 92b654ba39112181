package io.vecnn.converter.torchfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecnn.VecnnException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The front door tells the formats apart and names the ones it cannot read yet. */
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
    void legacyPickleFormatIsNamed() throws Exception {
        Path legacy = Files.write(dir.resolve("old.pth"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c});
        assertTrue(failure(legacy).contains("legacy PyTorch format"), failure(legacy));
    }

    @Test
    void tarFormatIsNamedAndTruncationDetected() throws Exception {
        byte[] tar = new byte[512 * 4];
        tarHeader(tar, 0, "sys_info", 5);
        tarHeader(tar, 1024, "storages", 300);
        Path cut = Files.write(dir.resolve("cut.pth"), Arrays.copyOf(tar, 1024 + 512 + 100));
        assertEquals("truncated or corrupt tar: " + cut + " is in the tar-based torch.save format of the first"
                + " PyTorch releases (0.1.x), and entry 'storages' declares 300 bytes from byte 1536 but the file"
                + " ends at byte 1636", failure(cut));
        byte[] complete = Arrays.copyOf(tar, 512 * 6);
        Path whole = Files.write(dir.resolve("whole.pth"), complete);
        assertTrue(failure(whole).contains("tar-based torch.save format"), failure(whole));
        assertTrue(!failure(whole).contains("truncated"), failure(whole));
    }

    private static void tarHeader(byte[] tar, int at, String name, int size) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, tar, at, n.length);
        byte[] s = String.format("%011o\0", size).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, tar, at + 124, s.length);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, tar, at + 257, 6);
    }

    @Test
    void torchScriptArchivesAreNamed() throws Exception {
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put("net/data.pkl", PickleBytes.protocol(2).op(PickleOpcodes.NONE).stop());
        records.put("net/code/__torch__/torch/classes/quantized.py", new byte[0]);
        records.put("net/constants.pkl", new byte[0]);
        Path scripted = TestZips.write(dir.resolve("scripted.pt"), records);
        assertEquals(scripted + " is a TorchScript archive (torch.jit.save) of a quantized model: reading"
                + " TorchScript is not supported yet; load it in Python and save model.state_dict() with torch.save",
                failure(scripted));
        Path v1 = TestZips.write(dir.resolve("v1.pt"), Map.of("m/model.json", new byte[0], "m/tensors/0", new byte[4]));
        assertTrue(failure(v1).contains("TorchScript archive in the PyTorch 1.0 format (model.json)"), failure(v1));
    }

    @Test
    void zipsWithoutAPickleAreNotTorchFiles() throws Exception {
        Path npz = TestZips.write(dir.resolve("weights.npz"), Map.of("w.npy", new byte[8]));
        assertEquals(npz + " is a zip file without a data.pkl record, so not a torch.save file (its first entries:"
                + " w.npy)", failure(npz));
    }
}
