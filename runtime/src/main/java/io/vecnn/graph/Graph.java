package io.vecnn.graph;

import io.vecnn.Shape;

import java.util.List;

/**
 * A network as data: nodes in execution order over named values, from one input to one output.
 * Built-in architectures and user specs both produce this; executors never know which network it is.
 *
 * @param input      name of the input value
 * @param inputShape the shape of one input image the network was built for (C×H×W)
 * @param nodes      the nodes, each reading only the input or values of earlier nodes
 * @param output     name of the value returned to the caller
 */
public record Graph(String input, Shape inputShape, List<Node> nodes, String output) {

    public Graph {
        nodes = List.copyOf(nodes);
        GraphValidation.checkStructure(input, nodes, output);
    }

    /** Every weight name the nodes reference, in node order. */
    public List<String> weightNames() {
        return nodes.stream().flatMap(n -> n.op().weights().stream()).toList();
    }
}
