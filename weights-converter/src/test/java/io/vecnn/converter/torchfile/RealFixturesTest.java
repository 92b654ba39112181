package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.statedict.WeightFormat;
import io.vecnn.converter.testing.PythonTorch;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files real people saved (shared fixtures, never copied into the repository) read or are refused precisely. */
class RealFixturesTest {
    /** Maven runs tests in the module directory; the fixtures sit beside the repository. */
    static final Path FIXTURES =
            Path.of("../../shared/fixtures").toAbsolutePath().normalize();

    private static final String BILL_CAI = "Bill-Cai__LeNet__lenet.pth";
    private static final String FYH620 = "FYH620__lenet-mnist-openvino__lenet.pth";
    private static final String SAKGOYAL = "sakgoyal__LeNet-FPGA-HLS__lenet_fp16.pth";
    private static final String PYTHON2_MODEL = "00arun00__Pruning-Pytorch__lenet.pth";
    private static final String RESNET20 = "akamaster__pytorch_resnet_cifar10__resnet20-12fca82f.th";
    private static final String TORCHSCRIPT_V1 = "abc3698__Libtorch_MNIST__mnist_cnn.pt";
    /** One line of an .arch.md state_dict listing: key, shape, dtype. */
    private static final Pattern LISTED = Pattern.compile("\\s+(\\S+)\\s+\\(([0-9, ]*)\\)\\s+(\\w+)");

    private static final Pattern LISTED_COUNT = Pattern.compile("\\((\\d+) entries in all");

    @BeforeEach
    void needFixtures() {
        Assumptions.assumeTrue(Files.isDirectory(FIXTURES), "shared fixtures not found at " + FIXTURES + ": skipped");
    }

    static Path real(String name) {
        return FIXTURES.resolve("real").resolve(name);
    }

    private static Path negative(String name) {
        return FIXTURES.resolve("negative").resolve(name);
    }

    /** Reading {@code negative(name)} fails with {@code message}, in which {@code %s} stands for the file's path. */
    private static void assertRefused(String name, String message) {
        Path file = negative(name);
        VecnnException e = assertThrows(VecnnException.class, () -> TorchFiles.read(file));
        assertEquals(message.formatted(file), e.getMessage());
    }

    @Test
    void everyRealFileHoldsTheStateDictItsArchitectureListingNames() throws IOException {
        List<Path> listings;
        try (Stream<Path> files = Files.list(FIXTURES.resolve("real"))) {
            listings = files.filter(p -> p.toString().endsWith(".arch.md"))
                    .sorted()
                    .toList();
        }
        assertEquals(5, listings.size(), listings.toString());
        for (Path listing : listings) {
            String stem = listing.getFileName().toString().replace(".arch.md", "");
            Path weights = Files.exists(real(stem + ".pth")) ? real(stem + ".pth") : real(stem + ".th");
            assertListed(Files.readAllLines(listing), TorchFiles.read(weights), stem);
        }
    }

    /** Every listed key has the listed shape and dtype; a complete listing also fixes the order, a cut one the count. */
    private static void assertListed(List<String> lines, StateDict read, String stem) {
        List<String> section = lines.subList(lines.indexOf("## state_dict"), lines.size());
        List<String> block = section.subList(section.indexOf("```") + 1, section.size());
        List<String> keys = new ArrayList<>();
        Integer count = null;
        for (String line : block.subList(0, block.indexOf("```"))) {
            Matcher m = LISTED.matcher(line);
            Matcher c = LISTED_COUNT.matcher(line);
            if (m.matches()) {
                TorchTensor t = read.get(m.group(1));
                assertNotNull(t, stem + ": " + m.group(1));
                int[] shape = Stream.of(m.group(2).split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .mapToInt(Integer::parseInt)
                        .toArray();
                assertArrayEquals(shape, t.shape(), stem + ": " + m.group(1));
                assertEquals(m.group(3), t.dtype().name().toLowerCase(), stem + ": " + m.group(1));
                keys.add(m.group(1));
            } else if (c.find()) {
                count = Integer.parseInt(c.group(1));
            }
        }
        assertTrue(keys.size() >= 10, stem + " lists " + keys);
        if (count == null) {
            assertEquals(keys, List.copyOf(read.keys()), stem);
        } else {
            assertEquals(count, read.size(), stem);
            assertEquals(keys, List.copyOf(read.keys()).subList(0, keys.size()), stem);
        }
    }

    @Test
    void everyRealFileMatchesWhatTorchLoads(@TempDir Path dir) throws Exception {
        PythonTorch.require();
        for (String name : List.of(BILL_CAI, FYH620, SAKGOYAL)) {
            PythonTorch.script("dump_tensors.py", real(name), dir.resolve(name));
        }
        PythonTorch.script("dump_tensors.py", real(RESNET20), dir.resolve(RESNET20), "state_dict");
        PythonTorch.script(
                "dump_full_model.py", real(PYTHON2_MODEL), dir.resolve(PYTHON2_MODEL), "core.model.lenet", "LeNet");
        for (String name : List.of(BILL_CAI, FYH620, SAKGOYAL, RESNET20, PYTHON2_MODEL)) {
            TensorManifest.assertMatches(TensorManifest.read(dir.resolve(name)), TorchFiles.read(real(name)));
        }
    }

    @Test
    void zipStateDictsRead() {
        StateDict billCai = TorchFiles.read(real(BILL_CAI));
        assertEquals(WeightFormat.ZIP, billCai.format());
        assertEquals(List.of(), billCai.notes());
        assertEquals(WeightFormat.ZIP, TorchFiles.read(real(FYH620)).format());
        StateDict half = TorchFiles.read(real(SAKGOYAL));
        assertTrue(half.tensors().values().stream().allMatch(t -> t.dtype() == DType.FLOAT16));
        assertTrue(
                half.notes().get(0).startsWith("widened " + half.size() + " float16 tensors"),
                half.notes().toString());
    }

    @Test
    void aPython2WholeModelPickleReadsAsAFullModel() {
        StateDict lenet = TorchFiles.read(real(PYTHON2_MODEL));
        assertEquals(WeightFormat.FULL_MODEL, lenet.format());
        assertEquals(
                List.of("the file is a whole pickled model (torch.save(model)) of class core.model.lenet.LeNet"
                        + " in the legacy container; its parameters and persistent buffers were taken from the module tree"
                        + " by path, without running or importing its code"),
                lenet.notes());
        assertEquals(-0.31766552f, lenet.get("features.0.weight").data()[0]);
    }

    @Test
    void aLegacyDataParallelCheckpointFromAGpuReads() {
        StateDict resnet = TorchFiles.read(real(RESNET20));
        assertEquals(WeightFormat.LEGACY, resnet.format());
        assertEquals("state_dict", resnet.wrapper());
        assertEquals(
                List.of(
                        "read the tensors of checkpoint entry 'state_dict'; ignored 'best_prec1' (a float)",
                        "tensors saved on device 'cuda:0' were read from their bytes like CPU tensors (as torch.load with"
                                + " map_location='cpu' does)"),
                resnet.notes());
        assertTrue(
                resnet.keys().stream().allMatch(k -> k.startsWith("module.")),
                resnet.keys().toString());
    }

    @Test
    void aTorchScript10ArchiveReadsAsItsJsonDescribes(@TempDir Path dir) throws Exception {
        StateDict mnist = TorchFiles.read(negative(TORCHSCRIPT_V1));
        assertEquals(WeightFormat.TORCHSCRIPT, mnist.format());
        assertEquals(
                List.of(
                        "conv1.weight",
                        "conv1.bias",
                        "conv2.weight",
                        "conv2.bias",
                        "fc1.weight",
                        "fc1.bias",
                        "fc2.weight",
                        "fc2.bias"),
                List.copyOf(mnist.keys()));
        assertTrue(
                mnist.notes()
                        .contains("tensors saved on device 'cuda:0' were read from their bytes like CPU"
                                + " tensors (as torch.load with map_location='cpu' does)"),
                mnist.notes().toString());
        PythonTorch.require();
        PythonTorch.script("dump_torchscript_v1.py", negative(TORCHSCRIPT_V1), dir.resolve("v1"));
        TensorManifest.assertMatches(TensorManifest.read(dir.resolve("v1")), mnist);
    }

    @Test
    void aTruncatedZipIsRefused() {
        assertRefused(
                "Peterwagiuh__Virtual-cart__resnet18-f37072fd.pth",
                "truncated or corrupt zip (no central directory): %s");
    }

    @Test
    void aTruncatedTarIsRefused() {
        assertRefused(
                "hrli1997__st-gtcn__resnet18-5c106cde.pth",
                "truncated or corrupt tar: %s is in the"
                        + " tar-based torch.save format of the first PyTorch releases (0.1.x), and entry 'storages' declares"
                        + " 46801661 bytes from byte 20992 but the file ends at byte 1048576");
    }

    @Test
    void aQuantizedTorchScriptArchiveIsRefusedWithAdvice() {
        assertRefused(
                "pytorch__ios-demo-app__mobilenet_quantized.pt",
                "%s: TorchScript archive (torch.jit.save) of"
                        + " __torch__.torchvision.models.quantization.mobilenet.___torch_mangle_1363.QuantizableMobileNetV2:"
                        + " attribute '_jit_pass_hoist_conv_packed_params.features.0.0._packed_params.1' is packed quantized"
                        + " weights (__torch__.torch.classes.quantized.Conv2dPackedParamsBase): quantized models are not"
                        + " supported; convert the float model");
    }

    @Test
    void aQuantizedStateDictIsRefusedAtItsFirstKey() {
        assertRefused(
                "zlpkhr__lenet__qlenet.pt",
                "%s: key 'c1.weight' is a quantized tensor"
                        + " (torch._utils._rebuild_qtensor): quantized models are not supported; convert the float model");
    }
}
