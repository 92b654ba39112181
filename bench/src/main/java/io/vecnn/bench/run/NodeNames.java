package io.vecnn.bench.run;

import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins a peer's per-node times to VecNN's plan steps. Both fuse, but not alike: VecNN names a fused step
 * after its first node (the convolution), while ONNX Runtime names a Conv+Relu after the Relu. So a peer
 * node that is not itself a step is charged to the step that produced its first input, followed back
 * through the graph until one is found. Nodes the peer added on its own (layout reorders) stay unjoined.
 */
final class NodeNames {
    /** A fused chain is a few nodes long (conv, add, relu); this bounds the walk on a malformed graph. */
    private static final int MAX_WALK = 8;

    private NodeNames() {}

    static Map<String, Double> assign(Map<String, Double> peerTimes, List<String> steps, Graph graph) {
        Map<String, Node> byName = new HashMap<>();
        Map<String, Node> producers = new HashMap<>();
        for (Node n : graph.nodes()) {
            byName.put(n.name(), n);
            producers.put(n.output(), n);
        }
        Set<String> stepNames = new HashSet<>(steps);
        Map<String, Double> byStep = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : peerTimes.entrySet()) {
            String name = e.getKey();
            for (int i = 0; i < MAX_WALK && !stepNames.contains(name) && byName.containsKey(name); i++) {
                Node producer = producers.get(byName.get(name).inputs().get(0));
                if (producer == null) {
                    break;
                }
                name = producer.name();
            }
            if (stepNames.contains(name)) {
                byStep.merge(name, e.getValue(), Double::sum);
            }
        }
        return byStep;
    }
}
