package io.vecnn.bench.run;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins a peer's per-node times to VecNN's layers by name. The exported ONNX graph names each node after the
 * VecNN node it came from; ONNX Runtime's fusions then extend the name (a Conv fused with its Relu keeps the
 * Conv's name as a prefix). Each peer node goes to the longest layer name it equals or extends after a
 * separator, so {@code layer1.0.conv1} is not also counted under a layer named {@code layer1.0}.
 */
final class NodeNames {
    private NodeNames() {
    }

    static Map<String, Double> assign(Map<String, Double> peerTimes, List<String> layers) {
        Map<String, Double> byLayer = new HashMap<>();
        for (Map.Entry<String, Double> e : peerTimes.entrySet()) {
            String best = null;
            for (String layer : layers) {
                if (matches(e.getKey(), layer) && (best == null || layer.length() > best.length())) {
                    best = layer;
                }
            }
            if (best != null) {
                byLayer.merge(best, e.getValue(), Double::sum);
            }
        }
        return byLayer;
    }

    private static boolean matches(String node, String layer) {
        return node.equals(layer)
                || node.length() > layer.length() && node.startsWith(layer) && !Character.isLetterOrDigit(node.charAt(layer.length()));
    }
}
