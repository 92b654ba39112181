package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.WeightFormat;
import io.vecnn.converter.testing.PythonTorch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real PyTorch reads what VecNN writes, and VecNN reads what real PyTorch writes, value for value. */
class PythonConformanceTest {

    @TempDir
    static Path torchFiles;

    @TempDir
    Path dir;

    @BeforeAll
    static void saveWithTorch() {
        PythonTorch.require();
        PythonTorch.script("make_state_dicts.py", torchFiles);
    }

    private List<TensorManifest.Entry> torchLoad(String file, String... entry) throws Exception {
        Path out = dir.resolve(file + ".expected");
        if (entry.length == 0) {
            PythonTorch.script("dump_tensors.py", torchFiles.resolve(file), out);
        } else {
            PythonTorch.script("dump_tensors.py", torchFiles.resolve(file), out, entry[0]);
        }
        return TensorManifest.read(out);
    }

    @Test
    void torchLoadsWhatVecnnWrites() throws Exception {
        StateDict written = TorchZipRoundTripTest.sample();
        Path file = dir.resolve("written.pth");
        TorchZipWriter.write(written, file);
        TensorManifest.write(written, dir.resolve("expected"));
        assertEquals("ok " + written.size(), PythonTorch.script("check_written.py", file, dir.resolve("expected")));
    }

    @Test
    void torchReadsTheModuleVersionsVecnnWrites() throws Exception {
        StateDict written = TorchZipRoundTripTest.sample();
        Path file = dir.resolve("versions.pth");
        TorchZipWriter.write(written, file, Map.of("", 2, "layers.1", 3));
        TensorManifest.write(written, dir.resolve("versions-expected"));
        assertEquals(
                "ok " + written.size(),
                PythonTorch.script(
                        "check_written.py", file, dir.resolve("versions-expected"), "{\"\": 2, \"layers.1\": 3}"));
        assertEquals(written.tensors().keySet(), TorchFiles.read(file).tensors().keySet());
    }

    @Test
    void everyDtypeAndViewReadsAsTorchLoadsIt() throws Exception {
        StateDict read = TorchFiles.read(torchFiles.resolve("dtypes.pt"));
        TensorManifest.assertMatches(torchLoad("dtypes.pt"), read);
        String notes = read.notes().toString();
        assertTrue(
                notes.contains(
                        "widened 2 float16 tensors to float32 (exactly): 'f16.all_patterns'," + " 'f16.transposed'"),
                notes);
        assertTrue(notes.contains("rounded 1 float64 tensor to float32: 'f64'"), notes);
    }

    @Test
    void whatVecnnReadsTorchLoadsBackAfterWriting() throws Exception {
        Path rewritten = dir.resolve("rewritten.pth");
        TorchZipWriter.write(TorchFiles.read(torchFiles.resolve("dtypes.pt")), rewritten);
        torchLoad("dtypes.pt");
        assertTrue(PythonTorch.script("check_written.py", rewritten, dir.resolve("dtypes.pt.expected"))
                .startsWith("ok"));
    }

    @Test
    void aModuleStateDictWithMetadataReads() throws Exception {
        TensorManifest.assertMatches(torchLoad("module.pt"), TorchFiles.read(torchFiles.resolve("module.pt")));
    }

    @Test
    void aCheckpointGivesItsStateDict() throws Exception {
        StateDict read = TorchFiles.read(torchFiles.resolve("checkpoint.pt"));
        TensorManifest.assertMatches(torchLoad("checkpoint.pt", "state_dict"), read);
        assertEquals(
                List.of("read the tensors of checkpoint entry 'state_dict'; ignored 'epoch' (an int),"
                        + " 'optimizer' (a dict), 'best' (a float)"),
                read.notes());
    }

    @Test
    void aQuantizedStateDictIsRefusedAtItsFirstQuantizedKey() {
        Path file = torchFiles.resolve("quantized.pt");
        VecnnException e = assertThrows(VecnnException.class, () -> TorchFiles.read(file));
        assertEquals(
                file + ": key 'fc.weight' is a quantized tensor (torch._utils._rebuild_qtensor): quantized"
                        + " models are not supported; convert the float model",
                e.getMessage());
    }

    @Test
    void aWholePickledModuleReadsAsItsStateDict() {
        StateDict linear = TorchFiles.read(torchFiles.resolve("whole_model.pt"));
        assertEquals(WeightFormat.FULL_MODEL, linear.format());
        assertEquals(List.of("weight", "bias"), List.copyOf(linear.keys()));
        assertEquals("[2, 2]", linear.get("weight").shapeString());
        assertTrue(
                linear.notes().get(0).contains("of class torch.nn.modules.linear.Linear in the zip container"),
                linear.notes().toString());
    }
}
