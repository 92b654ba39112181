package io.vecnn.modelfile;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecnn.VecnnException;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a model file can be damaged (by hand, by a disk, by a newer VecNN) is refused at load with its own
 * message. Each test starts from a valid file written by {@link ModelFile#write}, edits it, and checks the error;
 * edits that keep the data intact re-record the checksum, so the check under test is the one that fires.
 */
class ModelFileValidationTest {
    @TempDir
    Path dir;

    private byte[] valid;

    @BeforeEach
    void writeValidModel() throws IOException {
        Path path = dir.resolve("valid.vnn");
        SmallNets.tiny(7).write(path);
        valid = Files.readAllBytes(path);
        ModelFile.read(path);
    }

    private String refused(byte[] file) throws IOException {
        Path path = Files.write(dir.resolve("damaged" + System.nanoTime() + ".vnn"), file);
        VecnnException e = assertThrows(VecnnException.class, () -> ModelFile.read(path));
        assertTrue(e.getMessage().startsWith(path.toString()), e.getMessage());
        return e.getMessage();
    }

    /** Edits the header (not the data) and re-records the checksum. */
    private String refusedAfter(Consumer<ModelBytes> edit) throws IOException {
        ModelBytes m = ModelBytes.parse(valid);
        edit.accept(m);
        return refused(m.fixChecksum().bytes());
    }

    /** Edits the graph JSON and re-records the checksum. */
    private String refusedGraph(Consumer<ObjectNode> edit) throws IOException {
        return refusedAfter(m -> {
            ObjectNode graph = m.graph();
            edit.accept(graph);
            m.graph(graph);
        });
    }

    private static void assertMentions(String message, String fragment) {
        assertTrue(message.contains(fragment), () -> "expected '" + fragment + "' in: " + message);
    }

    private long headerLength() {
        return ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private byte[] withHeaderLength(long length) {
        byte[] file = valid.clone();
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return file;
    }

    // --- container: header length and JSON

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        String m = refused(withHeaderLength(valid.length));
        assertMentions(
                m,
                "header length " + valid.length + " at byte 0 is impossible for a file of " + valid.length + " bytes");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        assertMentions(
                refused(withHeaderLength(-5)),
                "header length " + Long.toUnsignedString(-5) + " at byte 0 is impossible");
        assertMentions(refused(withHeaderLength(1L << 40)), "header length 1099511627776 at byte 0 is impossible");
    }

    @Test
    void headerJsonMalformed() throws IOException {
        byte[] file = valid.clone();
        file[8] = 'x';
        assertMentions(refused(file), "header (bytes 8.." + (8 + headerLength()) + ") is not valid JSON");
    }

    @Test
    void headerJsonWithTextAfterTheObject() throws IOException {
        byte[] header = (ModelBytes.parse(valid).fixChecksum().header + " {}").getBytes(StandardCharsets.UTF_8);
        assertMentions(
                refused(ModelBytes.withHeader(header, ModelBytes.parse(valid).data)),
                "is not valid JSON: Trailing token");
    }

    @Test
    void headerJsonWithAKeyTwice() throws IOException {
        ModelBytes m = ModelBytes.parse(valid);
        String json = m.header.toString();
        String last = "\"fc.bias\":" + m.tensor("fc.bias");
        byte[] header = json.replace(last, last + "," + last).getBytes(StandardCharsets.UTF_8);
        assertMentions(refused(ModelBytes.withHeader(header, m.data)), "is not valid JSON: Duplicate field 'fc.bias'");
    }

    @Test
    void headerJsonNotAnObject() throws IOException {
        assertMentions(
                refused(ModelBytes.withHeader("[1, 2]".getBytes(StandardCharsets.UTF_8), new byte[0])),
                "header is not a JSON object");
    }

    // --- format version, writer, checksum

    /** A metadata value replaced: the key, the value, and what the refusal says. */
    static Stream<Arguments> badMetadataValues() {
        return Stream.of(
                Arguments.of(
                        "vecnn.format_version",
                        "3",
                        "model format version 3 is newer than this runtime supports (2); upgrade VecNN"),
                Arguments.of("vecnn.format_version", "2.0", "'vecnn.format_version' is '2.0', not a version number"),
                Arguments.of("vecnn.format_version", "0", "model format version 0 does not exist"),
                Arguments.of("vecnn.graph", "{\"input\": ", "model graph is not valid JSON"),
                Arguments.of("vecnn.labels", "{\"a\": 1}", "__metadata__ 'vecnn.labels' is malformed"),
                Arguments.of("vecnn.labels", "[\"cat\", null]", "__metadata__ 'vecnn.labels' holds a null label"));
    }

    /** A metadata key taken out (the checksum re-recorded): the key, and what the refusal says. */
    static Stream<Arguments> missingMetadataKeys() {
        return Stream.of(
                Arguments.of("vecnn.graph", "a safetensors file but not a VecNN model"),
                Arguments.of("vecnn.format_version", "__metadata__ has no 'vecnn.format_version'"),
                Arguments.of("vecnn.writer", "__metadata__ has no 'vecnn.writer', which format version 2 requires"));
    }

    @ParameterizedTest(name = "without {0}")
    @MethodSource("missingMetadataKeys")
    void missingMetadataKey(String key, String refusal) throws IOException {
        assertMentions(refusedAfter(m -> m.metadata().remove(key)), refusal);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badMetadataValues")
    void badMetadataValue(String key, String value, String refusal) throws IOException {
        assertMentions(refusedAfter(m -> m.metadata().put(key, value)), refusal);
    }

    @Test
    void version2WithoutChecksum() throws IOException {
        ModelBytes m = ModelBytes.parse(valid);
        m.metadata().remove("vecnn.data_crc32c");
        assertMentions(refused(m.bytes()), "__metadata__ has no 'vecnn.data_crc32c', which format version 2 requires");
    }

    @Test
    void checksumMismatchNamesBothValues() throws IOException {
        ModelBytes m = ModelBytes.parse(valid);
        String recorded = m.metadata().get("vecnn.data_crc32c").asText();
        m.data[100] ^= 1;
        String actual = ModelBytes.parse(m.bytes())
                .fixChecksum()
                .metadata()
                .get("vecnn.data_crc32c")
                .asText();
        assertMentions(
                refused(m.bytes()),
                "data checksum mismatch: the header records CRC32C " + recorded + ", the data has " + actual);
    }

    @Test
    void version1LoadsWithoutChecksumVerification() throws IOException {
        ModelBytes m = ModelBytes.parse(valid);
        m.metadata().put("vecnn.format_version", "1");
        m.metadata().remove("vecnn.data_crc32c");
        m.metadata().remove("vecnn.writer");
        m.data[0] ^= 1;
        ModelFile read = ModelFile.read(m.write(dir.resolve("v1.vnn")));
        assertEquals("unknown (format version 1)", read.writer());
        float[] expected = SmallNets.tiny(7).weights().get("conv0.weight").data();
        assertEquals(expected.length, read.weights().get("conv0.weight").data().length);
        assertArrayEquals(
                Arrays.copyOfRange(expected, 1, expected.length),
                Arrays.copyOfRange(read.weights().get("conv0.weight").data(), 1, expected.length));
    }

    // --- truncation

    @Test
    void truncatedInTheData() throws IOException {
        assertMentions(
                refused(Arrays.copyOf(valid, valid.length - 4)),
                "tensor 'fc.bias' has data_offsets [6208,6248] outside the data section of 6244 bytes (truncated file?)");
    }

    @Test
    void truncatedInTheHeader() throws IOException {
        assertMentions(
                refused(Arrays.copyOf(valid, 100)),
                "header length " + headerLength() + " at byte 0 is impossible for a file of 100 bytes");
    }

    @Test
    void truncatedBeforeTheHeaderLength() throws IOException {
        assertMentions(
                refused(Arrays.copyOf(valid, 5)),
                "not a safetensors file (5 bytes, shorter than the 8-byte header length)");
    }

    // --- tensors against the data section

    @Test
    void dtypeNotF32() throws IOException {
        assertMentions(
                refusedAfter(m -> m.tensor("fc.bias").put("dtype", "I32")),
                "tensor 'fc.bias' has dtype I32; model weights are F32");
    }

    @Test
    void unknownDtype() throws IOException {
        assertMentions(
                refusedAfter(m -> m.tensor("fc.bias").put("dtype", "F33")), "tensor 'fc.bias' has unknown dtype 'F33'");
    }

    @Test
    void offsetsBeyondTheDataSection() throws IOException {
        assertMentions(
                refusedAfter(m -> m.tensor("fc.bias").set("data_offsets", ModelBytes.ints(6208, 6252))),
                "tensor 'fc.bias' has data_offsets [6208,6252] outside the data section of 6248 bytes");
    }

    @Test
    void offsetsEndingBeforeTheyBegin() throws IOException {
        assertMentions(
                refusedAfter(m -> m.tensor("fc.bias").set("data_offsets", ModelBytes.ints(6248, 6208))),
                "tensor 'fc.bias' has data_offsets [6248,6208] that end before they begin");
    }

    @Test
    void lengthNotMatchingTheShape() throws IOException {
        assertMentions(
                refusedAfter(m -> m.tensor("fc.bias").set("shape", ModelBytes.ints(11))),
                "tensor 'fc.bias' has shape [11] of F32 but 40 bytes of data");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertMentions(
                refusedAfter(m -> m.tensor("fc.bias").set("data_offsets", ModelBytes.ints(6204, 6244))),
                "tensors 'fc.weight' and 'fc.bias' overlap at data byte 6204");
    }

    @Test
    void holeBetweenTensors() throws IOException {
        assertMentions(
                refusedAfter(m -> {
                    m.tensor("fc.weight").set("shape", ModelBytes.ints(10, 15));
                    m.tensor("fc.weight").set("data_offsets", ModelBytes.ints(5568, 6168));
                }),
                "data bytes 6168..6208 belong to no tensor (between 'fc.weight' and 'fc.bias'); safetensors forbids holes");
    }

    @Test
    void trailingBytes() throws IOException {
        assertMentions(
                refusedAfter(m -> m.data = Arrays.copyOf(m.data, m.data.length + 12)),
                "12 trailing bytes after the last tensor (data bytes 6248..6260 belong to no tensor)");
    }

    @Test
    void negativeDimension() throws IOException {
        assertMentions(
                refusedAfter(m -> m.tensor("fc.bias").set("shape", ModelBytes.ints(-10))),
                "tensor 'fc.bias' has invalid dimension -10 in shape [-10]");
    }

    @Test
    void zeroDimension() throws IOException {
        assertMentions(
                refusedAfter(m -> {
                    ObjectNode empty = m.header.putObject("empty");
                    empty.put("dtype", "F32");
                    empty.set("shape", ModelBytes.ints(4, 0));
                    empty.set("data_offsets", ModelBytes.ints(6248, 6248));
                }),
                "tensor 'empty' has shape [4, 0]; every dimension of a weight must be positive");
    }

    @Test
    void dimensionsWhoseProductOverflows() throws IOException {
        // 2^30 * 2^30 * 8 = 2^63, which wraps a long to a negative count (and times 4 bytes to 0).
        assertMentions(
                refusedAfter(m -> {
                    ObjectNode huge = m.header.putObject("huge");
                    huge.put("dtype", "F32");
                    huge.set("shape", ModelBytes.ints(1 << 30, 1 << 30, 8));
                    huge.set("data_offsets", ModelBytes.ints(6248, 6248));
                }),
                "tensor 'huge' has shape [1073741824,1073741824,8] of F32 but 0 bytes of data");
    }

    // --- weights against the graph

    @Test
    void weightTheGraphNeedsIsMissing() throws IOException {
        assertMentions(
                refusedAfter(m -> {
                    m.header.remove("fc.bias");
                    m.data = Arrays.copyOf(m.data, 6208);
                }),
                "node 'fc' needs weight 'fc.bias', which the model does not hold");
    }

    @Test
    void weightNoNodeUses() throws IOException {
        assertMentions(
                refusedAfter(m -> {
                    ObjectNode stray = m.header.putObject("stray");
                    stray.put("dtype", "F32");
                    stray.set("shape", ModelBytes.ints(1));
                    stray.set("data_offsets", ModelBytes.ints(6248, 6252));
                    m.data = Arrays.copyOf(m.data, 6252);
                }),
                "weight 'stray' is not used by any node of the graph");
    }

    @Test
    void weightShapeNotWhatItsNodeNeeds() throws IOException {
        assertMentions(
                refusedAfter(m -> m.tensor("conv0.bias").set("shape", ModelBytes.ints(2, 4))),
                "node 'conv0': weight 'conv0.bias' has shape [2, 4], expected [8]");
    }

    // --- graph structure

    @Test
    void graphWithACycle() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0").set("inputs", ModelBytes.strings("conv1.relu"))),
                "graph has a cycle: node 'conv0' reads 'conv1.relu' of node 'conv1.relu', which depends on 'conv0'");
    }

    @Test
    void nodeInputNeverDefined() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv1").set("inputs", ModelBytes.strings("conv9"))),
                "node 'conv1' reads 'conv9', which no node defines");
    }

    @Test
    void nodesOutOfExecutionOrder() throws IOException {
        assertMentions(
                refusedGraph(g -> {
                    var nodes = (com.fasterxml.jackson.databind.node.ArrayNode) g.get("nodes");
                    var first = nodes.remove(0);
                    nodes.insert(1, first);
                }),
                "node 'conv0.relu' reads 'conv0' before node 'conv0' defines it; nodes must be listed in execution order");
    }

    @Test
    void duplicateNodeNames() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv1").put("name", "conv0")),
                "graph has two nodes named 'conv0'");
    }

    @Test
    void valueDefinedTwice() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv1").put("output", "conv0")),
                "value 'conv0' is defined twice (node 'conv1')");
    }

    @Test
    void outputNeverDefined() throws IOException {
        assertMentions(
                refusedGraph(g -> g.put("output", "logits")), "graph output 'logits' is not defined by any node");
    }

    @Test
    void unknownOp() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0.relu").put("op", "mish")),
                "node 'conv0.relu': unknown op 'mish'");
    }

    @Test
    void missingOpField() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0").remove("groups")),
                "node 'conv0': missing field 'groups'");
    }

    @Test
    void inputShapeNotPositive() throws IOException {
        assertMentions(
                refusedGraph(g -> g.set("input_shape", ModelBytes.ints(3, 0, 32))),
                "graph: input_shape dimensions must be positive, got [3,0,32]");
    }

    // --- op parameters

    @Test
    void kernelNotPositive() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0").set("kernel", ModelBytes.ints(0, 3))),
                "node 'conv0': kernel must be positive, got 0x3");
    }

    @Test
    void strideNotPositive() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv1").set("stride", ModelBytes.ints(2, -1))),
                "node 'conv1': stride must be positive, got 2x-1");
    }

    @Test
    void dilationNotPositive() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv1").set("dilation", ModelBytes.ints(0, 0))),
                "node 'conv1': dilation must be positive, got 0x0");
    }

    @Test
    void paddingNegative() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0").set("padding", ModelBytes.ints(-1, 1))),
                "node 'conv0': padding must not be negative, got -1x1");
    }

    @Test
    void paddingSoLargeTheMapOutgrowsTheIntRange() throws IOException {
        assertMentions(
                refusedGraph(g ->
                        ModelBytes.node(g, "conv0").set("padding", ModelBytes.ints(1, Integer.MAX_VALUE / 2))),
                "node 'conv0': output size " + (32 + 2L * (Integer.MAX_VALUE / 2) - 3 + 1) + " is more than 2^31-1");
    }

    @Test
    void groupsNotDividingOutputChannels() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv1").put("groups", 3)),
                "node 'conv1': groups 3 must be positive and divide the output channels 16");
    }

    @Test
    void groupsNotDividingInputChannels() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0").put("groups", 2)),
                "node 'conv0': groups 2 must divide input channels 3 and output channels 8");
    }

    @Test
    void groupsZero() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0").put("groups", 0)),
                "node 'conv0': groups 0 must be positive and divide the output channels 8");
    }

    @Test
    void outputChannelsNotPositive() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0").put("out_channels", 0)),
                "node 'conv0': output channels must be positive, got 0");
    }

    @Test
    void outputFeaturesNotPositive() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "fc").put("out_features", -10)),
                "node 'fc': output features must be positive, got -10");
    }

    @Test
    void adaptivePoolOutputNotPositive() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "pool").set("output_size", ModelBytes.ints(1, 0))),
                "node 'pool': output size must be positive, got 1x0");
    }

    @Test
    void poolWindowLargerThanThePaddedInput() throws IOException {
        assertMentions(
                refusedGraph(g -> maxPool(ModelBytes.node(g, "pool"), 20, 1)),
                "node 'pool': input size 16 is too small for pooling window 20 (padding 1): the output would be empty");
    }

    @Test
    void poolPaddingAboveHalfTheKernel() throws IOException {
        assertMentions(
                refusedGraph(g -> maxPool(ModelBytes.node(g, "pool"), 3, 2)),
                "node 'pool': padding 2x2 must be between 0 and half the kernel 3x3 (PyTorch's rule)");
    }

    @Test
    void concatOfOneInput() throws IOException {
        assertMentions(
                refusedGraph(g -> ModelBytes.node(g, "conv0.relu").put("op", "concat")),
                "node 'conv0.relu': concat takes at least 2 inputs, got 1");
    }

    private static void maxPool(ObjectNode node, int kernel, int padding) {
        node.remove("output_size");
        node.put("op", "max_pool2d");
        node.set("kernel", ModelBytes.ints(kernel, kernel));
        node.set("stride", ModelBytes.ints(1, 1));
        node.set("padding", ModelBytes.ints(padding, padding));
        node.put("ceil_mode", false);
    }
}
