package io.vecnn.converter.spec;

import io.vecnn.Model;
import io.vecnn.Tensor;
import io.vecnn.VecnnException;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.modelfile.ModelFile;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spec layers of ShuffleNet v2 and ConvNeXt: {@code channel_slice}, {@code channel_shuffle} and
 * {@code layer_norm} build the graph ops they name and run alike on both executors, and wrong parameters are
 * refused with the layer's path and the numbers that do not fit.
 */
class ChannelLayersSpecTest {
    /** A ShuffleNet v2 unit at stride 1 on a 3x6x6 stem output of 6 channels, then a LayerNorm and a classifier. */
    private static final String UNIT = """
            {"name": "shuffle-unit", "input_size": [3, 6, 6], "layers": [
              {"conv": "stem", "padding": 1},
              {"parallel": [[{"channel_slice": [0, 3]}],
                            [{"channel_slice": [3, 6]}, {"conv": "pw"}, "relu", {"conv": "dw", "groups": 3, "padding": 1}]],
               "join": "concat"},
              {"channel_shuffle": 2},
              {"layer_norm": "norm", "eps": 1e-6},
              {"adaptive_avg_pool": 1}, "flatten", {"linear": "fc"}
            ]}""";

    private static final StateDict WEIGHTS = weights(
            "stem.weight", new int[] {6, 3, 3, 3},
            "pw.weight", new int[] {3, 3, 1, 1},
            "dw.weight", new int[] {3, 1, 3, 3},
            "norm.weight", new int[] {6},
            "norm.bias", new int[] {6},
            "fc.weight", new int[] {5, 6},
            "fc.bias", new int[] {5});

    @Test
    void aSpecWithChannelShuffleAndLayerNormBuildsTheirOpsAndRuns() {
        NetworkSpec spec = NetworkSpec.parse(UNIT, "unit.json");
        ModelFile file = ModelConversion.convert(WEIGHTS, spec.architecture(WEIGHTS), "test");
        List<Op> ops = file.graph().nodes().stream().map(Node::op).toList();
        assertTrue(ops.contains(new Op.ChannelSlice(0, 3)), ops.toString());
        assertTrue(ops.contains(new Op.ChannelSlice(3, 6)), ops.toString());
        assertTrue(ops.contains(new Op.ChannelShuffle(2)), ops.toString());
        assertTrue(ops.contains(new Op.LayerNorm(1e-6, "norm.weight", "norm.bias")), ops.toString());
        float[] x = new float[2 * 3 * 6 * 6];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (Model model = Model.of(file)) {
            Tensor input = Tensor.fromNchw(x, 2, 3, 6, 6);
            float[] fast = model.run(input).data();
            float[] reference = model.runReference(input).data();
            for (int i = 0; i < fast.length; i++) {
                assertEquals(reference[i], fast[i], 1e-5 * Math.max(1, Math.abs(reference[i])), "logit " + i);
            }
        }
    }

    @Test
    void badParametersSayWhatFits() {
        assertContains(
                convertFails("{\"conv\": \"stem\", \"padding\": 1}, {\"channel_shuffle\": 4}"),
                "spec layers[1]: 'channel_shuffle' takes a number of groups that divides the input's 6 channels, got 4");
        assertContains(
                convertFails("{\"conv\": \"stem\", \"padding\": 1}, {\"channel_shuffle\": 0}"),
                "spec layers[1]: 'channel_shuffle' takes a number of groups that divides the input's 6 channels, got 0");
        assertContains(
                convertFails("{\"conv\": \"stem\", \"padding\": 1}, {\"channel_shuffle\": -2}"),
                "spec layers[1]: 'channel_shuffle' must be a whole number from 0 to 65536, got -2");
        assertContains(
                convertFails("{\"conv\": \"stem\", \"padding\": 1}, {\"channel_slice\": [4, 9]}"),
                "spec layers[1]: 'channel_slice' takes [start, end] with 0 <= start < end <= the input's 6 channels,"
                        + " got [4, 9]");
        assertContains(
                convertFails("{\"conv\": \"stem\", \"padding\": 1}, {\"layer_norm\": \"norm\", \"eps\": 0}"),
                "spec layers[1]: 'eps' must be a positive number, got 0");
        assertContains(
                convertFails("{\"conv\": \"stem\", \"padding\": 1}, {\"layer_norm\": \"norm\", \"epsilon\": 1e-6}"),
                "spec layers[1]: 'layer_norm' layers take no field 'epsilon' (they take [eps])");
        assertContains(
                convertFails("{\"conv\": \"stem\", \"padding\": 1}, {\"layer_norm\": \"ln\"}"),
                "missing key(s): ln.weight, ln.bias");
        // The kinds a layer may have are listed in a stable order, the new ones among them.
        assertContains(
                convertFails("{\"layernorm\": \"norm\"}"),
                "kinds are [adaptive_avg_pool, avg_pool, batch_norm, channel_shuffle, channel_slice, conv, layer_norm,"
                        + " linear, max_pool, parallel, squeeze_excitation, subsample_pad]");
    }

    private static String convertFails(String layers) {
        String json = "{\"name\": \"test\", \"input_size\": [3, 6, 6], \"layers\": [" + layers + "]}";
        return assertThrows(VecnnException.class, () -> {
                    NetworkSpec spec = NetworkSpec.parse(json, "test.json");
                    ModelConversion.convert(WEIGHTS, spec.architecture(WEIGHTS), "test");
                })
                .getMessage();
    }

    /** Tensors of the given shapes with seeded values, so the spec's network computes something. */
    private static StateDict weights(Object... keysAndShapes) {
        SplittableRandom random = new SplittableRandom(1);
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < keysAndShapes.length; i += 2) {
            int[] shape = (int[]) keysAndShapes[i + 1];
            float[] data = new float[(int) TorchTensor.numel(shape)];
            for (int j = 0; j < data.length; j++) {
                data[j] = (float) (0.5 * random.nextGaussian());
            }
            tensors.put((String) keysAndShapes[i], new TorchTensor(DType.FLOAT32, shape, data));
        }
        return new StateDict(tensors);
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), "expected the message to contain «" + expected + "», it is: " + message);
    }
}
