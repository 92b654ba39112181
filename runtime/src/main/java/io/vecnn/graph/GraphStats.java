package io.vecnn.graph;

import io.vecnn.Shape;

import java.util.Map;

/**
 * Size of a network: parameters and multiply-accumulates per image, as summaries and benchmarks report them.
 *
 * @param layers     nodes in the graph
 * @param parameters weight values stored for it (after BatchNorm folding)
 * @param macs       multiply-accumulates of convolutions and Linear layers for one image at the given input
 */
public record GraphStats(int layers, long parameters, long macs) {

    public static GraphStats of(Graph graph, Map<String, WeightTensor> weights, Shape input) {
        Map<String, Shape> shapes = ShapeInference.infer(
                graph,
                input,
                name -> weights.containsKey(name) ? weights.get(name).shape() : null);
        long macs = 0;
        for (Node node : graph.nodes()) {
            Shape in = shapes.get(node.inputs().get(0));
            Shape out = shapes.get(node.output());
            if (node.op() instanceof Op.Conv2d c) {
                macs += out.size() * c.kernelH() * c.kernelW() * (in.channels() / c.groups());
            } else if (node.op() instanceof Op.Linear) {
                macs += (long) in.channels() * out.channels();
            }
        }
        long parameters =
                weights.values().stream().mapToLong(w -> w.data().length).sum();
        return new GraphStats(graph.nodes().size(), parameters, macs);
    }
}
