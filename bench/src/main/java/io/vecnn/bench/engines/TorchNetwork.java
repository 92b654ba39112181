package io.vecnn.bench.engines;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.ShapeInference;
import io.vecnn.graph.WeightTensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A VecNN graph walked once into a list of libtorch calls over NCHW tensors, as PyTorch's eager
 * {@code forward} would make them. Each value is released right after its last reader, as Python's
 * reference counting releases a PyTorch module's intermediates, so memory is reused the same way.
 *
 * <p>The one place VecNN's graph is not PyTorch's is the order of a flattened map: VecNN flattens NHWC,
 * torch.flatten NCHW. The walk follows which values hold flattened features of which map, and permutes
 * the weights that read them (Linear columns, affine vectors) back to torch's order.
 */
final class TorchNetwork {
    private record Step(TorchOp op, int[] inputs, int output, int[] released) {}

    private final List<Step> steps;
    private final int slots;
    private final int output;

    private TorchNetwork(List<Step> steps, int slots, int output) {
        this.steps = steps;
        this.slots = slots;
        this.output = output;
    }

    /** Uploads the graph's weights into {@code manager} in PyTorch's layouts and plans the calls. */
    static TorchNetwork build(Graph graph, Map<String, WeightTensor> weights, NDManager manager) {
        Map<String, Shape> shapes = ShapeInference.infer(
                graph,
                graph.inputShape(),
                name -> weights.containsKey(name) ? weights.get(name).shape() : null);
        TorchLayers layers = new TorchLayers(weights, manager);
        Map<String, Integer> slotOf = new HashMap<>();
        slotOf.put(graph.input(), 0);
        // For a value holding a map's features in VecNN's flatten order: that map. Absent: torch's layout.
        Map<String, Shape> flattenedFrom = new HashMap<>();
        List<TorchOp> ops = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>();
        for (Node node : graph.nodes()) {
            Shape in = shapes.get(node.inputs().get(0));
            Shape order = flattenOrder(node, flattenedFrom);
            ops.add(op(layers, node.op(), in, shapes.get(node.output()), order));
            Shape outOrder = outputOrder(node.op(), in, order);
            if (outOrder != null) {
                flattenedFrom.put(node.output(), outOrder);
            }
            inputs.add(node.inputs().stream().mapToInt(slotOf::get).toArray());
            slotOf.put(node.output(), slotOf.size());
        }
        int output = slotOf.get(graph.output());
        Shape outputOrder = flattenedFrom.get(graph.output());
        if (outputOrder != null) {
            ops.add(layers.nhwcFlattenOrder(outputOrder));
            inputs.add(new int[] {output});
            output = ops.size();
        }
        return new TorchNetwork(steps(ops, inputs, output), ops.size() + 1, output);
    }

    /**
     * The flatten order shared by all of a node's inputs. Only ops whose weights can be permuted, or that
     * treat every feature alike, accept features in VecNN's order; the others are refused.
     */
    private static Shape flattenOrder(Node node, Map<String, Shape> flattenedFrom) {
        Shape order = flattenedFrom.get(node.inputs().get(0));
        for (String in : node.inputs()) {
            if (!Objects.equals(order, flattenedFrom.get(in))) {
                throw unsupported(node, "reads features flattened from different maps");
            }
        }
        boolean followsOrder = node.op() instanceof Op.Flatten
                || node.op() instanceof Op.Linear
                || node.op() instanceof Op.ChannelAffine
                || node.op() instanceof Op.Relu
                || node.op() instanceof Op.Activation
                || node.op() instanceof Op.Add
                || node.op() instanceof Op.Softmax
                || node.op() instanceof Op.LogSoftmax;
        if (order != null && !followsOrder) {
            throw unsupported(node, "applies " + node.op().kind() + " to flattened features");
        }
        return order;
    }

    /** Which map's NHWC flatten order the node's output is in, or null for torch's layout. */
    private static Shape outputOrder(Op op, Shape in, Shape inputOrder) {
        if (op instanceof Op.Linear) {
            return null;
        }
        if (op instanceof Op.Flatten && inputOrder == null) {
            boolean reordered = in.channels() > 1 && (long) in.height() * in.width() > 1;
            return reordered ? in : null;
        }
        return inputOrder;
    }

    private static TorchOp op(TorchLayers layers, Op op, Shape in, Shape out, Shape order) {
        if (op instanceof Op.Conv2d c) {
            return layers.conv(c, in.channels());
        }
        if (op instanceof Op.ChannelAffine a) {
            return layers.channelAffine(a, in.channels(), order);
        }
        if (op instanceof Op.Relu) {
            return layers.relu();
        }
        if (op instanceof Op.Activation a) {
            return layers.activation(a.function());
        }
        if (op instanceof Op.MaxPool2d p) {
            return layers.maxPool(p);
        }
        if (op instanceof Op.AvgPool2d p) {
            return layers.avgPool(p, in, out);
        }
        if (op instanceof Op.AdaptiveAvgPool2d p) {
            return layers.adaptiveAvgPool(p);
        }
        if (op instanceof Op.Flatten) {
            return layers.flatten(out.channels());
        }
        if (op instanceof Op.Linear l) {
            return layers.linear(l, in.channels(), order);
        }
        if (op instanceof Op.Concat) {
            return layers.concat();
        }
        if (op instanceof Op.Add) {
            return layers.add();
        }
        if (op instanceof Op.ScaleChannels) {
            return x -> JniUtils.mul(x[0], x[1]);
        }
        if (op instanceof Op.ChannelShuffle g) {
            return layers.channelShuffle(g, in);
        }
        if (op instanceof Op.ChannelSlice c) {
            return layers.channelSlice(c);
        }
        if (op instanceof Op.LayerNorm l) {
            return layers.layerNorm(l, in.channels());
        }
        if (op instanceof Op.Softmax) {
            return layers.softmax();
        }
        if (op instanceof Op.LogSoftmax) {
            return layers.logSoftmax();
        }
        throw new VecnnException("the PyTorch peer has no call for op " + op.kind());
    }

    /**
     * Attaches to each step the values it reads for the last time (or produces for no one). Step {@code i}
     * writes slot {@code i + 1}; slot 0 is the input.
     */
    private static List<Step> steps(List<TorchOp> ops, List<int[]> inputs, int output) {
        int slots = ops.size() + 1;
        int[] lastUse = new int[slots];
        for (int step = 0; step < ops.size(); step++) {
            lastUse[step + 1] = step;
            for (int in : inputs.get(step)) {
                lastUse[in] = step;
            }
        }
        List<List<Integer>> released = new ArrayList<>();
        ops.forEach(op -> released.add(new ArrayList<>()));
        for (int slot = 0; slot < slots; slot++) {
            if (slot != output) {
                released.get(lastUse[slot]).add(slot);
            }
        }
        List<Step> steps = new ArrayList<>();
        for (int step = 0; step < ops.size(); step++) {
            steps.add(new Step(
                    ops.get(step),
                    inputs.get(step),
                    step + 1,
                    released.get(step).stream().mapToInt(Integer::intValue).toArray()));
        }
        return List.copyOf(steps);
    }

    /**
     * Runs the calls on {@code input} ({@code N×C×H×W}); every tensor made on the way belongs to the input's
     * manager, and all but the returned output are already closed.
     */
    PtNDArray forward(PtNDArray input) {
        PtNDArray[] values = new PtNDArray[slots];
        values[0] = input;
        for (Step step : steps) {
            PtNDArray[] args = new PtNDArray[step.inputs().length];
            for (int i = 0; i < args.length; i++) {
                args[i] = values[step.inputs()[i]];
            }
            values[step.output()] = step.op().apply(args);
            for (int slot : step.released()) {
                values[slot].close();
                values[slot] = null;
            }
        }
        return values[output];
    }

    private static VecnnException unsupported(Node node, String what) {
        return new VecnnException("node '" + node.name() + "' " + what + ", which the PyTorch peer does not run");
    }
}
