package io.vecnn.exec.reference;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.VecnnException;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.ShapeInference;
import io.vecnn.graph.WeightTensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a graph node by node with plain loops, written to be obviously right rather than fast. It is the
 * oracle every fast kernel is tested against, and what users can fall back to when they suspect one.
 * Each value is dropped after its last reader, so memory stays near the widest layer.
 */
public final class ReferenceExecutor {
    private ReferenceExecutor() {}

    public static Tensor run(Graph graph, Map<String, WeightTensor> weights, Tensor input) {
        Shape inputShape = new Shape(input.channels(), input.height(), input.width());
        Map<String, Shape> shapes = ShapeInference.infer(
                graph,
                inputShape,
                name -> weights.containsKey(name) ? weights.get(name).shape() : null);
        Map<String, Integer> lastUse = new HashMap<>();
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                lastUse.put(in, i);
            }
        }
        Map<String, Tensor> values = new HashMap<>();
        values.put(graph.input(), input);
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            List<Tensor> ins = node.inputs().stream().map(values::get).toList();
            values.put(node.output(), compute(node.op(), ins, weights, shapes.get(node.output())));
            for (String in : node.inputs()) {
                if (lastUse.get(in) == i && !in.equals(graph.output())) {
                    values.remove(in);
                }
            }
        }
        Tensor out = values.get(graph.output());
        if (out == null) {
            throw new VecnnException("graph output '" + graph.output() + "' was not computed");
        }
        return out;
    }

    /** Applies one node to its inputs: the entry point fast kernels are tested against, op by op. */
    public static Tensor apply(Node node, List<Tensor> ins, Map<String, WeightTensor> weights) {
        List<Shape> shapes = ins.stream()
                .map(t -> new Shape(t.channels(), t.height(), t.width()))
                .toList();
        Shape out = ShapeInference.outputShape(
                node,
                shapes,
                name -> weights.containsKey(name) ? weights.get(name).shape() : null);
        for (Tensor t : ins) {
            if (t.batch() != ins.get(0).batch()) {
                throw new VecnnException("node '" + node.name() + "': inputs have different batch sizes");
            }
        }
        return compute(node.op(), ins, weights, out);
    }

    private static Tensor compute(Op op, List<Tensor> ins, Map<String, WeightTensor> weights, Shape out) {
        Tensor x = ins.get(0);
        if (op instanceof Op.Conv2d c) {
            return ReferenceConv2d.apply(c, x, data(weights, c.weight()), data(weights, c.bias()), out);
        }
        if (op instanceof Op.ChannelAffine a) {
            return ReferencePointwise.channelAffine(x, data(weights, a.scale()), data(weights, a.shift()));
        }
        if (op instanceof Op.Relu) {
            return ReferencePointwise.relu(x);
        }
        if (op instanceof Op.Activation a) {
            return ReferencePointwise.activation(a.function(), x);
        }
        if (op instanceof Op.MaxPool2d p) {
            return ReferencePooling.max(p, x, out);
        }
        if (op instanceof Op.AvgPool2d p) {
            return ReferencePooling.average(p, x, out);
        }
        if (op instanceof Op.AdaptiveAvgPool2d p) {
            return ReferencePooling.adaptiveAverage(p, x);
        }
        if (op instanceof Op.Flatten) {
            return ReferenceLayout.flatten(x);
        }
        if (op instanceof Op.Linear l) {
            return ReferenceLinear.apply(l, x, data(weights, l.weight()), data(weights, l.bias()));
        }
        if (op instanceof Op.Concat) {
            return ReferenceLayout.concat(ins);
        }
        if (op instanceof Op.Add) {
            return ReferencePointwise.add(ins);
        }
        if (op instanceof Op.ScaleChannels) {
            return ReferencePointwise.scaleChannels(x, ins.get(1));
        }
        if (op instanceof Op.ChannelShuffle g) {
            return ReferenceLayout.channelShuffle(x, g.groups());
        }
        if (op instanceof Op.ChannelSlice c) {
            return ReferenceLayout.channelSlice(x, c.start(), c.end());
        }
        if (op instanceof Op.LayerNorm l) {
            return ReferencePointwise.layerNorm(x, data(weights, l.weight()), data(weights, l.bias()), l.eps());
        }
        if (op instanceof Op.Softmax) {
            return ReferencePointwise.softmax(x);
        }
        if (op instanceof Op.LogSoftmax) {
            return ReferencePointwise.logSoftmax(x);
        }
        throw new VecnnException("reference executor has no implementation of " + op.kind());
    }

    private static float[] data(Map<String, WeightTensor> weights, String name) {
        return name == null ? null : weights.get(name).data();
    }
}
