package io.vecnn.converter.torchfile;

import io.vecnn.converter.testing.PythonTorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files real people saved (shared fixtures, never copied into the repository) read or are refused precisely. */
class RealFixturesTest {
    /** Maven runs tests in the module directory; the fixtures sit beside the repository. */
    private static final Path FIXTURES = Path.of("../../shared/fixtures").toAbsolutePath().normalize();
    private static final List<String> ZIP_FILES = List.of("Bill-Cai__LeNet__lenet.pth",
            "FYH620__lenet-mnist-openvino__lenet.pth", "sakgoyal__LeNet-FPGA-HLS__lenet_fp16.pth");

    @BeforeEach
    void needFixtures() {
        Assumptions.assumeTrue(Files.isDirectory(FIXTURES), "shared fixtures not found at " + FIXTURES + ": skipped");
    }

    private static Path real(String name) {
        return FIXTURES.resolve("real").resolve(name);
    }

    private static Path negative(String name) {
        return FIXTURES.resolve("negative").resolve(name);
    }

    private static String failure(Path file) {
        return assertThrows(VecnnException.class, () -> TorchFiles.read(file)).getMessage();
    }

    @Test
    void zipStateDictsRead() {
        StateDict billCai = TorchFiles.read(real("Bill-Cai__LeNet__lenet.pth"));
        TorchTensor first = billCai.get("c1.0.weight");
        assertEquals(DType.FLOAT32, first.dtype());
        assertEquals("[6, 1, 5, 5]", first.shapeString());

        StateDict noByteorder = TorchFiles.read(real("FYH620__lenet-mnist-openvino__lenet.pth"));
        assertEquals("[6, 1, 5, 5]", noByteorder.get("conv1.weight").shapeString());

        StateDict half = TorchFiles.read(real("sakgoyal__LeNet-FPGA-HLS__lenet_fp16.pth"));
        assertTrue(half.tensors().values().stream().allMatch(t -> t.dtype() == DType.FLOAT16));
        assertTrue(half.notes().get(0).startsWith("widened " + half.size() + " float16 tensors"), half.notes().toString());
    }

    @Test
    void zipStateDictsMatchTorchLoad(@TempDir Path dir) throws Exception {
        PythonTorch.require();
        for (String name : ZIP_FILES) {
            Path expected = dir.resolve(name);
            PythonTorch.script("dump_tensors.py", real(name), expected);
            TensorManifest.assertMatches(TensorManifest.read(expected), TorchFiles.read(real(name)));
        }
    }

    @Test
    void legacyPicklesAreNamed() {
        for (String name : List.of("00arun00__Pruning-Pytorch__lenet.pth",
                "akamaster__pytorch_resnet_cifar10__resnet20-12fca82f.th")) {
            String message = failure(real(name));
            assertTrue(message.contains("legacy PyTorch format"), message);
        }
    }

    @Test
    void truncatedZipIsRefused() {
        String message = failure(negative("Peterwagiuh__Virtual-cart__resnet18-f37072fd.pth"));
        assertTrue(message.startsWith("truncated or corrupt zip (no central directory): "), message);
    }

    @Test
    void truncatedTarIsRefused() {
        String message = failure(negative("hrli1997__st-gtcn__resnet18-5c106cde.pth"));
        assertTrue(message.startsWith("truncated or corrupt tar: "), message);
        assertTrue(message.contains("entry 'storages'"), message);
    }

    @Test
    void torchScriptArchivesAreNamed() {
        String v1 = failure(negative("abc3698__Libtorch_MNIST__mnist_cnn.pt"));
        assertTrue(v1.contains("is a TorchScript archive in the PyTorch 1.0 format (model.json)"), v1);
        String quantized = failure(negative("pytorch__ios-demo-app__mobilenet_quantized.pt"));
        assertTrue(quantized.contains("is a TorchScript archive (torch.jit.save) of a quantized model"), quantized);
    }

    @Test
    void quantizedStateDictIsRefusedAtItsFirstKey() {
        Path file = negative("zlpkhr__lenet__qlenet.pt");
        assertEquals(file + ": key 'c1.weight' is a quantized tensor (torch._utils._rebuild_qtensor): quantized"
                + " models are not supported; convert the float model", failure(file));
    }
}
