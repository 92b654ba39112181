package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.graph.Node;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ORT's per-node profile of an exported model is keyed by VecNN's node names and times every node it ran. */
class OnnxRuntimeProfileTest {

    @Test
    void profiledNodesAreVecnnNodes() {
        Architecture arch = Architectures.get("lenet5");
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model =
                        Model.of(ModelConversion.convert(SyntheticWeights.generate(arch, 5, 10), arch, "synth"), pool);
                OnnxRuntimeEngine ort = OnnxRuntimeEngine.open(model, 1)) {
            float[] x = new float[2 * 3 * 32 * 32];
            Arrays.fill(x, 0.25f);

            Map<String, Double> micros = ort.profileNodeMicros(x, 2, 3);

            Set<String> vecnnNodes =
                    model.graph().nodes().stream().map(Node::name).collect(Collectors.toSet());
            for (String layer :
                    List.of("conv_layer.0", "conv_layer.1", "conv_layer.2", "fullconn_layer.0", "fullconn_layer.4")) {
                assertTrue(micros.containsKey(layer), layer + " is not among " + micros.keySet());
            }
            micros.keySet().stream()
                    .filter(n -> !vecnnNodes.contains(n))
                    .forEach(n -> assertTrue(
                            n.startsWith("Reorder"), n + " is neither a VecNN node nor a reorder ORT added"));
            micros.values().forEach(us -> assertTrue(us > 0, micros.toString()));
            assertEquals("onnxruntime", ort.name());
        } finally {
            pool.shutdown();
        }
    }
}
