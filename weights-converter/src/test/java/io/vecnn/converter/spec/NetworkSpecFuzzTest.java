package io.vecnn.converter.spec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.testing.FuzzOutcome;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A spec file from the fuzzer, parsed and then built against a small state dict, so that the layer fields,
 * module expansion, shape inference and the key and shape checks all see hostile values.
 */
class NetworkSpecFuzzTest {
    /** conv c1 (3 → 4, 3x3, bias), batch norm bn1 over 4 channels, grouped conv g1 (4 → 4, 2 groups), linear fc (16 → 2). */
    private static final StateDict WEIGHTS = weights(
            "c1.weight",
            new int[] {4, 3, 3, 3},
            "c1.bias",
            new int[] {4},
            "bn1.weight",
            new int[] {4},
            "bn1.bias",
            new int[] {4},
            "bn1.running_mean",
            new int[] {4},
            "bn1.running_var",
            new int[] {4},
            "bn1.num_batches_tracked",
            new int[] {},
            "g1.weight",
            new int[] {4, 2, 1, 1},
            "fc.weight",
            new int[] {2, 16},
            "fc.bias",
            new int[] {2});

    @FuzzTest(maxDuration = "20s")
    void parseAndBuild(byte[] bytes) {
        String json = new String(bytes, StandardCharsets.UTF_8);
        FuzzOutcome.resultOrTypedError(() -> {
            NetworkSpec spec = NetworkSpec.parse(json, "fuzz.json");
            ModelConversion.convert(WEIGHTS, spec.architecture(WEIGHTS), "fuzz");
        });
    }

    private static StateDict weights(Object... keysAndShapes) {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < keysAndShapes.length; i += 2) {
            int[] shape = (int[]) keysAndShapes[i + 1];
            float[] data = new float[(int) TorchTensor.numel(shape)];
            // Positive values keep the running variances valid, so batch-norm folding runs rather than refusing.
            Arrays.fill(data, 0.5f);
            tensors.put((String) keysAndShapes[i], new TorchTensor(DType.FLOAT32, shape, data));
        }
        return new StateDict(tensors);
    }
}
