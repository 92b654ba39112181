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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every format and container, written by real PyTorch (make_torch_formats.py), reads to exactly the tensors
 * torch itself loads from the same file: same keys in the same order, dtypes, shapes and bits.
 */
class TorchFormatsTest {

    @TempDir
    static Path files;

    @BeforeAll
    static void writeWithTorch() {
        PythonTorch.require();
        PythonTorch.script("make_torch_formats.py", files);
    }

    /** Reads a file and checks it against torch's manifest of it. */
    private static StateDict readAsTorchDoes(String name) throws Exception {
        StateDict read = TorchFiles.read(files.resolve(name));
        TensorManifest.assertMatches(TensorManifest.read(files.resolve(name + ".expected")), read);
        return read;
    }

    @Test
    void zipParametersAndAnotherFolderName() throws Exception {
        assertEquals(WeightFormat.ZIP, readAsTorchDoes("zip_parameters.pt").format());
        assertEquals(WeightFormat.ZIP, readAsTorchDoes("zip_folder.pt").format());
    }

    @Test
    void legacyFormatWithEveryDtypeAndView() throws Exception {
        StateDict read = readAsTorchDoes("legacy_dtypes.pt");
        assertEquals(WeightFormat.LEGACY, read.format());
        assertTrue(
                read.notes().contains("widened 1 bfloat16 tensor to float32 (exactly): 'bf16.all_patterns'"),
                read.notes().toString());
    }

    @Test
    void legacyStorageViews() throws Exception {
        assertEquals(WeightFormat.LEGACY, readAsTorchDoes("legacy_views.pt").format());
    }

    @Test
    void tarFormatOfTheFirstReleases() throws Exception {
        StateDict read = readAsTorchDoes("tar_format.pt");
        assertEquals(WeightFormat.TAR, read.format());
        assertEquals(List.of("rounded 1 float64 tensor to float32: 'doubles'"), read.notes());
    }

    @Test
    void wholeModelsInEveryContainer() throws Exception {
        for (String[] file : new String[][] {{"full_zip.pt", "zip"}, {"full_legacy.pt", "legacy"}}) {
            StateDict read = readAsTorchDoes(file[0]);
            assertEquals(WeightFormat.FULL_MODEL, read.format());
            assertEquals(
                    List.of("the file is a whole pickled model (torch.save(model)) of class __main__.Net in the "
                            + file[1]
                            + " container; its parameters and persistent buffers were taken from the module tree by"
                            + " path, without running or importing its code"),
                    read.notes());
        }
        StateDict checkpoint = readAsTorchDoes("full_checkpoint.pt");
        assertEquals(WeightFormat.FULL_MODEL, checkpoint.format());
        assertEquals("model", checkpoint.wrapper());
    }

    @Test
    void torchScriptScriptedAndTraced() throws Exception {
        StateDict scripted = readAsTorchDoes("scripted.pt");
        assertEquals(WeightFormat.TORCHSCRIPT, scripted.format());
        assertEquals(
                List.of("the file is a TorchScript archive (torch.jit.save) of __torch__.SmallCnn; its parameters"
                        + " and buffers were taken from the module tree by path, without running its code"),
                scripted.notes());
        assertEquals(WeightFormat.TORCHSCRIPT, readAsTorchDoes("traced.pt").format());
    }

    @Test
    void storagesOfOtherDevicesAndTheMetaDevice() throws Exception {
        assertEquals(
                List.of("tensors saved on device 'cuda:0' were read from their bytes like CPU tensors (as"
                        + " torch.load with map_location='cpu' does)"),
                readAsTorchDoes("cuda.pt").notes());
        Path meta = files.resolve("meta.pt");
        assertEquals(
                meta + ": storage '0' (byte 138) is on the meta device, which saves shapes but no values: there"
                        + " are no weights to read; save the model after loading real weights (in record 'meta/data.pkl')",
                assertThrows(VecnnException.class, () -> TorchFiles.read(meta)).getMessage());
    }
}
