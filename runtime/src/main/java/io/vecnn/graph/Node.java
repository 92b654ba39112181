package io.vecnn.graph;

import java.util.List;

/**
 * One step of a graph: an op applied to named values, producing one named value.
 *
 * @param name   unique node name, usually the PyTorch module path ({@code layer1.0.conv1})
 * @param op     what the node computes
 * @param inputs the values it reads: the graph input or outputs of earlier nodes
 * @param output the value it defines
 */
public record Node(String name, Op op, List<String> inputs, String output) {
    public Node {
        inputs = List.copyOf(inputs);
    }
}
