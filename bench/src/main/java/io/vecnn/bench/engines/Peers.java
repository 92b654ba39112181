package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.VecnnException;

import java.util.List;

/** The engines users would otherwise pick, by the names {@code --compare} takes. */
public final class Peers {
    public static final List<String> NAMES = List.of("onnxruntime", "pytorch");

    private Peers() {}

    /** Opens peer {@code name} on the same graph and weights as {@code model}, with {@code threads} intra-op threads. */
    public static Engine open(String name, Model model, int threads) {
        return switch (name) {
            case "onnxruntime" -> OnnxRuntimeEngine.open(model, threads);
            case "pytorch" -> PyTorchEngine.open(model, threads);
            default -> throw new VecnnException("unknown engine '" + name + "' to compare with; choose from " + NAMES);
        };
    }
}
