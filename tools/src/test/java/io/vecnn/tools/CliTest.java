package io.vecnn.tools;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.npy.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static io.vecnn.tools.CliRun.vecnn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands as a user runs them: exit codes, what lands on stdout and stderr, and what lands on disk. */
class CliTest {
    @TempDir
    Path dir;

    @Test
    void synthConvertPredict() {
        Path pth = dir.resolve("w.pth");
        Path vnn = dir.resolve("m.vnn");
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        assertEquals(
                0, vecnn("synth", "--arch", "lenet5", "--out", pth, "--seed", 4).exit());
        CliRun convert = vecnn("convert", "--weights", pth, "--arch", "lenet5", "--out", vnn);
        assertEquals(0, convert.exit(), convert.err());
        assertTrue(convert.out().contains("GMACs per image at 3x32x32"), convert.out());
        float[] input = new float[2 * 3 * 32 * 32];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) Math.sin(i);
        }
        Npy.write(x, new int[] {2, 3, 32, 32}, input);

        CliRun predict = vecnn("predict", "--model", vnn, "--input", x, "--out", y);

        assertEquals(0, predict.exit(), predict.err());
        Npy.Array logits = Npy.read(y);
        assertArrayEquals(new int[] {2, 10}, logits.shape());
        assertArrayEquals(Model.load(vnn).run(input, 2), logits.data());
    }

    @Test
    void predictWithReferenceAgreesWithTheFastKernels() {
        Path pth = dir.resolve("w.pth");
        Path vnn = dir.resolve("m.vnn");
        Path x = dir.resolve("x.npy");
        vecnn("synth", "--arch", "lenet5", "--out", pth);
        vecnn("convert", "--weights", pth, "--arch", "lenet5", "--out", vnn);
        float[] input = new float[3 * 3 * 32 * 32];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) Math.cos(i * 0.37);
        }
        Npy.write(x, new int[] {3, 3, 32, 32}, input);
        CliRun fast = vecnn("predict", "--model", vnn, "--input", x, "--out", dir.resolve("fast.npy"));
        CliRun reference =
                vecnn("predict", "--model", vnn, "--input", x, "--out", dir.resolve("ref.npy"), "--reference");
        assertEquals(0, fast.exit(), fast.err());
        assertEquals(0, reference.exit(), reference.err());
        assertTrue(reference.out().contains("(reference executor)"), reference.out());
        float[] a = Npy.read(dir.resolve("fast.npy")).data();
        float[] b = Npy.read(dir.resolve("ref.npy")).data();
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-4 * (1 + Math.abs(b[i])), "logit " + i);
        }
    }

    @Test
    void convertFromASpecFileAndRefuseSpecTogetherWithArch() throws IOException {
        Path pth = dir.resolve("w.pth");
        vecnn("synth", "--arch", "lenet5", "--out", pth);
        Path spec = dir.resolve("net.json");
        Files.writeString(spec, """
                {"name": "seed-lenet", "input_size": [3, 32, 32], "layers": [
                  {"conv": "conv_layer.0"}, {"max_pool": 2}, {"conv": "conv_layer.2"}, {"max_pool": 2}, "flatten",
                  {"linear": "fullconn_layer.0"}, "relu", {"linear": "fullconn_layer.2"}, "relu",
                  {"linear": "fullconn_layer.4"}]}""");
        Path fromSpec = dir.resolve("spec.vnn");
        Path builtIn = dir.resolve("builtin.vnn");
        CliRun convert = vecnn("convert", "--weights", pth, "--spec", spec, "--out", fromSpec);
        assertEquals(0, convert.exit(), convert.err());
        assertTrue(convert.out().contains("seed-lenet, from the spec"), convert.out());
        vecnn("convert", "--weights", pth, "--arch", "lenet5", "--out", builtIn);
        float[] x = new float[3 * 32 * 32];
        java.util.Arrays.fill(x, 0.5f);
        assertArrayEquals(
                Model.load(builtIn)
                        .runReference(io.vecnn.Tensor.fromNchw(x, 1, 3, 32, 32))
                        .data(),
                Model.load(fromSpec)
                        .runReference(io.vecnn.Tensor.fromNchw(x, 1, 3, 32, 32))
                        .data());
        assertEquals(
                2,
                vecnn("convert", "--weights", pth, "--spec", spec, "--arch", "lenet5", "--out", dir.resolve("x.vnn"))
                        .exit());
    }

    @Test
    void inspectNamesFormatWrapperAndPrefixAsJson() throws IOException {
        Path pth = dir.resolve("w.pth");
        vecnn("synth", "--arch", "lenet5", "--out", pth);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var zip = json.readTree(vecnn("inspect", "--json", pth).out());
        assertEquals("zip", zip.get("format").asText());
        assertTrue(zip.get("wrapper").isNull() && zip.get("prefix").isNull(), zip.toString());
        assertEquals("conv_layer.0.weight", zip.get("tensors").get(0).get("key").asText());
        assertEquals("[6,3,5,5]", zip.get("tensors").get(0).get("shape").toString());

        Path legacy = Path.of("../../shared/fixtures/real/akamaster__pytorch_resnet_cifar10__resnet20-12fca82f.th");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(legacy), "../shared/fixtures is absent");
        var th = json.readTree(vecnn("inspect", "--json", legacy).out());
        assertEquals("legacy", th.get("format").asText());
        assertEquals("state_dict", th.get("wrapper").asText());
        assertEquals("module.", th.get("prefix").asText());
        assertEquals(97, th.get("tensors").size());
    }

    @Test
    void truncatedWeightsGiveOneLineAndNoOutputFile() throws IOException {
        Path pth = dir.resolve("w.pth");
        vecnn("synth", "--arch", "resnet18", "--out", pth);
        byte[] bytes = Files.readAllBytes(pth);
        Path cut = dir.resolve("cut.pth");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 3));
        Path out = dir.resolve("out.vnn");

        CliRun run = vecnn("convert", "--weights", cut, "--arch", "resnet18", "--out", out);

        assertEquals(1, run.exit());
        assertOneErrorLine("vecnn convert: error: ", run.err());
        assertTrue(run.err().contains("cut.pth"), run.err());
        assertNoFileBut(pth, cut);
    }

    @Test
    void nonPyTorchFileGivesOneLine() throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, not a checkpoint");
        CliRun inspect = vecnn("inspect", text);
        assertEquals(1, inspect.exit());
        assertOneErrorLine("vecnn inspect: error: not a PyTorch file: ", inspect.err());
        CliRun convert = vecnn("convert", "--weights", text, "--arch", "lenet5", "--out", dir.resolve("m.vnn"));
        assertEquals(1, convert.exit());
        assertOneErrorLine("vecnn convert: error: not a PyTorch file: ", convert.err());
        assertNoFileBut(text);
    }

    @Test
    void wrongArchitectureListsTheKeysAndWritesNothing() {
        Path pth = dir.resolve("w.pth");
        vecnn("synth", "--arch", "lenet5", "--out", pth);
        CliRun run = vecnn("convert", "--weights", pth, "--arch", "resnet18", "--out", dir.resolve("m.vnn"));
        assertEquals(1, run.exit());
        assertOneErrorLine("vecnn convert: error: state dict does not match resnet18: ", run.err());
        assertNoFileBut(pth);
    }

    @Test
    void predictRefusesAnInputOfTheWrongShape() {
        Path pth = dir.resolve("w.pth");
        Path vnn = dir.resolve("m.vnn");
        vecnn("synth", "--arch", "lenet5", "--out", pth);
        vecnn("convert", "--weights", pth, "--arch", "lenet5", "--out", vnn);
        Path x = dir.resolve("x.npy");
        Npy.write(x, new int[] {1, 3, 28, 28}, new float[3 * 28 * 28]);
        CliRun run = vecnn("predict", "--model", vnn, "--input", x, "--out", dir.resolve("y.npy"));
        assertEquals(1, run.exit());
        assertOneErrorLine("vecnn predict: error: ", run.err());
        assertTrue(run.err().contains("[1, 3, 28, 28]") && run.err().contains("[N, 3, 32, 32]"), run.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, vecnn("convert", "--arch", "lenet5").exit());
        assertEquals(2, vecnn("frobnicate").exit());
        assertEquals(
                2,
                vecnn("synth", "--arch", "lenet5", "--out", dir.resolve("w.pth"), "--num-classes", 0)
                        .exit());
    }

    @Test
    void unknownArchitectureNamesTheKnownOnes() {
        CliRun run = vecnn("synth", "--arch", "resnet19", "--out", dir.resolve("w.pth"));
        assertEquals(1, run.exit());
        assertOneErrorLine(
                "vecnn synth: error: unknown architecture 'resnet19'; known: lenet5, alexnet, vgg11, "
                        + "vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn, googlenet, resnet18, resnet34, resnet50, "
                        + "resnet101, resnet152, resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, "
                        + "wide_resnet101_2, squeezenet1_0, squeezenet1_1, densenet121, densenet161, densenet169, "
                        + "densenet201, inception_v3, mobilenet_v2, mobilenet_v3_large, mobilenet_v3_small, "
                        + "efficientnet_b0, efficientnet_b1, efficientnet_b2, efficientnet_b3, efficientnet_b4, "
                        + "efficientnet_b5, efficientnet_b6, efficientnet_b7, efficientnet_v2_s, efficientnet_v2_m, "
                        + "efficientnet_v2_l, regnet_y_400mf, regnet_y_800mf, regnet_y_1_6gf, regnet_y_3_2gf, "
                        + "regnet_y_8gf, regnet_y_16gf, regnet_y_32gf, regnet_x_400mf, regnet_x_800mf, regnet_x_1_6gf, "
                        + "regnet_x_3_2gf, regnet_x_8gf, regnet_x_16gf, regnet_x_32gf, mnasnet0_5, mnasnet0_75, "
                        + "mnasnet1_0, mnasnet1_3, shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, "
                        + "shufflenet_v2_x2_0, convnext_tiny, convnext_small, convnext_base, convnext_large, "
                        + "cifar_net, resnet20, resnet32, resnet44, resnet56, resnet110, resnet1202",
                run.err());
    }

    @Test
    void convertRecognisesTheArchitectureAndReportsSkippedHeadsAndTransformInput() {
        Path pth = dir.resolve("w.pth");
        vecnn("synth", "--arch", "googlenet", "--out", pth, "--num-classes", 7);

        CliRun run = vecnn("convert", "--weights", pth, "--out", dir.resolve("m.vnn"));

        assertEquals(0, run.exit(), run.err());
        assertTrue(
                run.out()
                        .contains("  architecture: recognised googlenet (GoogLeNet (Inception v1), 9 Inception "
                                + "blocks): all 364 keys match\n"),
                run.out());
        assertTrue(
                run.out()
                        .contains("  transform_input: on, as torchvision sets it for the published weights; "
                                + "--no-transform-input turns it off (kept as a channel_affine op"),
                run.out());
        assertTrue(
                run.out()
                        .contains(
                                "  skipped aux1 (2,171,399 values), aux2 (2,173,447 values): training-only heads, not run"),
                run.out());
        assertTrue(run.out().contains("GMACs per image at 3x224x224, output fc"), run.out());
    }

    @Test
    void convertTakesAnInputSizeAndNamesTheLayerASmallerOneCollapsesAt() {
        Path pth = dir.resolve("w.pth");
        vecnn("synth", "--arch", "resnet18", "--out", pth);

        CliRun small = vecnn("convert", "--weights", pth, "--input-size", "3x97x61", "--out", dir.resolve("m.vnn"));
        assertEquals(0, small.exit(), small.err());
        assertEquals(new Shape(3, 97, 61), Model.load(dir.resolve("m.vnn")).inputShape());

        Path lenet = dir.resolve("lenet.pth");
        vecnn("synth", "--arch", "lenet5", "--out", lenet);
        CliRun tiny = vecnn("convert", "--weights", lenet, "--input-size", "3x12x12", "--out", dir.resolve("t.vnn"));
        assertEquals(1, tiny.exit());
        assertOneErrorLine(
                "vecnn convert: error: input size 3x12x12 does not fit lenet5: node 'conv_layer.2': input "
                        + "size 4 is too small for kernel 5 (dilation 1, padding 0): the output would be empty (the smallest "
                        + "square input it takes is 3x32x32)",
                tiny.err());
        assertFalse(Files.exists(dir.resolve("t.vnn")));
    }

    @Test
    void convertOptionsAreCheckedAgainstTheArchitecture() {
        Path pth = dir.resolve("w.pth");
        vecnn("synth", "--arch", "lenet5", "--out", pth);
        CliRun transform = vecnn("convert", "--weights", pth, "--no-transform-input", "--out", dir.resolve("m.vnn"));
        assertEquals(2, transform.exit());
        assertTrue(
                transform.err().startsWith("--no-transform-input applies to googlenet and inception_v3, not lenet5"),
                transform.err());
        assertEquals(
                2,
                vecnn("convert", "--weights", pth, "--input-size", "224x224", "--out", dir.resolve("m.vnn"))
                        .exit());
        assertNoFileBut(pth);
    }

    @Test
    void realTruncatedCheckpointsAreRefusedWithoutOutput() {
        Path negative = Path.of("../../shared/fixtures/negative");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isDirectory(negative), "../shared/fixtures is absent: real-file CLI checks skipped");
        for (String name : new String[] {
            "Peterwagiuh__Virtual-cart__resnet18-f37072fd.pth", "hrli1997__st-gtcn__resnet18-5c106cde.pth"
        }) {
            Path out = dir.resolve(name + ".vnn");
            CliRun run = vecnn("convert", "--weights", negative.resolve(name), "--arch", "resnet18", "--out", out);
            assertEquals(1, run.exit(), name);
            assertOneErrorLine("vecnn convert: error: ", run.err());
            assertTrue(run.err().contains("truncated"), run.err());
            assertFalse(Files.exists(out), name);
        }
        assertNoFileBut();
    }

    @Test
    void classifyReportsEveryFileAndFailsAtTheEndWhenOneWasBad() throws IOException {
        Path pth = dir.resolve("w.pth");
        Path vnn = dir.resolve("m.vnn");
        vecnn("synth", "--arch", "lenet5", "--out", pth);
        vecnn("convert", "--weights", pth, "--arch", "lenet5", "--out", vnn);
        Path good = dir.resolve("good.png");
        javax.imageio.ImageIO.write(
                new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png",
                good.toFile());
        Path bad = dir.resolve("bad.png");
        Files.writeString(bad, "not an image");
        Path missing = dir.resolve("missing.jpg");
        CliRun run = vecnn("classify", "--model", vnn, "--top", 2, bad, good, missing);
        assertEquals(1, run.exit(), run.err());
        assertTrue(run.out().contains(good + ":"), "the good image is classified after the bad one: " + run.out());
        assertTrue(run.err().contains(bad + ": not a JPEG or PNG image"), run.err());
        assertTrue(run.err().contains("image not found: " + missing), run.err());
        assertTrue(run.err().contains("2 of 3 images could not be classified: " + bad + ", " + missing), run.err());
    }

    private static void assertOneErrorLine(String prefix, String err) {
        assertTrue(err.startsWith(prefix), err);
        assertEquals(1, err.lines().count(), "one line on stderr: " + err);
    }

    /** Nothing was left behind in the work directory, not even a temporary file. */
    private void assertNoFileBut(Path... expected) {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    Arrays.stream(expected).map(Path::getFileName).sorted().toList(),
                    files.map(Path::getFileName).sorted().toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
