package io.vecnn.graph;

import io.vecnn.VecnnException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
        Set<String> defined = new HashSet<>();
        defined.add(input);
        Set<String> names = new HashSet<>();
        for (Node node : nodes) {
            if (!names.add(node.name())) {
                throw new VecnnException("graph has two nodes named '" + node.name() + "'");
            }
            for (String in : node.inputs()) {
                if (!defined.contains(in)) {
                    throw new VecnnException("node '" + node.name() + "' reads '" + in
                            + "', which no earlier node defines");
                }
            }
            if (!defined.add(node.output())) {
                throw new VecnnException("value '" + node.output() + "' is defined twice (node '" + node.name() + "')");
            }
        }
        if (!defined.contains(output)) {
            throw new VecnnException("graph output '" + output + "' is not defined by any node");
        }
    }

    /** Every weight name the nodes reference, in node order. */
    public List<String> weightNames() {
        return nodes.stream().flatMap(n -> n.op().weights().stream()).toList();
    }
}
