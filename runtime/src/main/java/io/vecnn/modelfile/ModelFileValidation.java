package io.vecnn.modelfile;

import io.vecnn.VecnnException;
import io.vecnn.graph.Graph;
import io.vecnn.graph.GraphValidation;
import io.vecnn.graph.Node;
import io.vecnn.graph.ShapeInference;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks between a model's graph and its weights, run on a file's header before any weight is read:
 * every tensor a float32 weight with positive dimensions, every weight a node names present and used, each
 * of the shape its node needs, and every op's parameters in range for the shapes flowing into it.
 */
final class ModelFileValidation {
    private ModelFileValidation() {}

    /** The header's tensors as model weights: F32, no zero dimension. */
    static void checkTensors(List<SafetensorsHeader.Entry> entries) {
        for (SafetensorsHeader.Entry e : entries) {
            if (!e.dtype().equals("F32")) {
                throw new VecnnException(
                        "tensor '" + e.name() + "' has dtype " + e.dtype() + "; model weights are F32");
            }
            checkDimensions(e.name(), e.shape());
        }
    }

    static void checkDimensions(String name, int[] shape) {
        for (int d : shape) {
            if (d <= 0) {
                throw new VecnnException("tensor '" + name + "' has shape " + Arrays.toString(shape)
                        + "; every dimension of a weight must be positive");
            }
        }
    }

    /** The graph against the weights it will run with, given by shape. */
    static void checkAgainstGraph(Graph graph, Map<String, int[]> weightShapes) {
        GraphValidation.checkOps(graph);
        Set<String> used = new HashSet<>();
        for (Node node : graph.nodes()) {
            for (String w : node.op().weights()) {
                if (!weightShapes.containsKey(w)) {
                    throw new VecnnException(
                            "node '" + node.name() + "' needs weight '" + w + "', which the model does not hold");
                }
                used.add(w);
            }
        }
        for (String name : weightShapes.keySet()) {
            if (!used.contains(name)) {
                throw new VecnnException("weight '" + name + "' is not used by any node of the graph");
            }
        }
        ShapeInference.infer(graph, weightShapes);
    }
}
