package io.vecnn.graph;

import io.vecnn.Shape;
import io.vecnn.VecnnException;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Computes the shape of every value of a graph for a given input shape, and checks each op against
 * the shapes of its inputs and weights. Output sizes follow PyTorch's formulas exactly, ceil mode included.
 */
public final class ShapeInference {
    private ShapeInference() {}

    /**
     * @param weightShape the shape of a weight by name, or null when the weight is missing
     * @return the shape of every value, the input first, then in node order
     */
    public static Map<String, Shape> infer(Graph graph, Shape input, Function<String, int[]> weightShape) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put(graph.input(), input);
        for (Node node : graph.nodes()) {
            List<Shape> ins = node.inputs().stream().map(shapes::get).toList();
            shapes.put(node.output(), outputShape(node, ins, weightShape));
        }
        return shapes;
    }

    /** Shapes for the graph's own input shape, with weights given as a map of shapes. */
    public static Map<String, Shape> infer(Graph graph, Map<String, int[]> weightShapes) {
        return infer(graph, graph.inputShape(), new HashMap<>(weightShapes)::get);
    }

    /** The shape of one node's output, checking its inputs and weights. */
    public static Shape outputShape(Node node, List<Shape> ins, Function<String, int[]> weightShape) {
        Op op = node.op();
        GraphValidation.checkOp(node);
        if (op instanceof Op.Concat) {
            long channels = 0;
            for (Shape s : ins) {
                if (s.height() != ins.get(0).height() || s.width() != ins.get(0).width()) {
                    throw fail(node, "concatenates maps of different sizes " + ins);
                }
                channels += s.channels();
            }
            return shape(node, channels, ins.get(0).height(), ins.get(0).width());
        }
        if (op instanceof Op.Add) {
            for (Shape s : ins) {
                if (!s.equals(ins.get(0))) {
                    throw fail(node, "adds values of different shapes " + ins);
                }
            }
            return ins.get(0);
        }
        Shape in = ins.get(0);
        if (op instanceof Op.ScaleChannels) {
            Shape s = ins.get(1);
            if (s.channels() != in.channels() || s.height() != 1 || s.width() != 1) {
                throw fail(node, "scales a " + in + " map by " + s + "; the factors must be " + in.channels() + "x1x1");
            }
            return in;
        }
        if (op instanceof Op.ChannelShuffle g) {
            if (in.channels() % g.groups() != 0) {
                throw fail(node, "groups " + g.groups() + " must divide the " + in.channels() + " input channels");
            }
            return in;
        }
        if (op instanceof Op.ChannelSlice s) {
            if (s.end() > in.channels()) {
                throw fail(
                        node,
                        "takes channels " + s.start() + ".." + s.end() + " of an input with " + in.channels()
                                + " channels");
            }
            return new Shape(s.end() - s.start(), in.height(), in.width());
        }
        if (op instanceof Op.LayerNorm l) {
            requireWeight(node, weightShape, l.weight(), in.channels());
            requireWeight(node, weightShape, l.bias(), in.channels());
            return in;
        }
        if (op instanceof Op.Conv2d c) {
            if (in.channels() % c.groups() != 0) {
                throw fail(
                        node,
                        "groups " + c.groups() + " must divide input channels " + in.channels()
                                + " and output channels " + c.outChannels());
            }
            requireWeight(
                    node,
                    weightShape,
                    c.weight(),
                    c.outChannels(),
                    c.kernelH(),
                    c.kernelW(),
                    in.channels() / c.groups());
            if (c.bias() != null) {
                requireWeight(node, weightShape, c.bias(), c.outChannels());
            }
            int oh = convOut(node, in.height(), c.kernelH(), c.strideH(), c.padH(), c.dilationH());
            int ow = convOut(node, in.width(), c.kernelW(), c.strideW(), c.padW(), c.dilationW());
            return new Shape(c.outChannels(), oh, ow);
        }
        if (op instanceof Op.ChannelAffine a) {
            requireWeight(node, weightShape, a.scale(), in.channels());
            requireWeight(node, weightShape, a.shift(), in.channels());
            return in;
        }
        if (op instanceof Op.Relu
                || op instanceof Op.Activation
                || op instanceof Op.Softmax
                || op instanceof Op.LogSoftmax) {
            return in;
        }
        if (op instanceof Op.Pool2d p) {
            return new Shape(
                    in.channels(),
                    poolOut(node, in.height(), p.kernelH(), p.strideH(), p.padH(), p.ceilMode()),
                    poolOut(node, in.width(), p.kernelW(), p.strideW(), p.padW(), p.ceilMode()));
        }
        if (op instanceof Op.AdaptiveAvgPool2d p) {
            return new Shape(in.channels(), p.outH(), p.outW());
        }
        if (op instanceof Op.Flatten) {
            return shape(node, in.size(), 1, 1);
        }
        if (op instanceof Op.Linear l) {
            if (in.height() != 1 || in.width() != 1) {
                throw fail(node, "linear needs a flattened input, got " + in);
            }
            requireWeight(node, weightShape, l.weight(), l.outFeatures(), in.channels());
            if (l.bias() != null) {
                requireWeight(node, weightShape, l.bias(), l.outFeatures());
            }
            return new Shape(l.outFeatures(), 1, 1);
        }
        throw fail(node, "unknown op " + op);
    }

    /** PyTorch's convolution output size; a map that collapses to nothing is an error naming the layer. */
    public static int convOut(Node node, int in, int kernel, int stride, int pad, int dilation) {
        long span = (long) dilation * (kernel - 1) + 1;
        long out = Math.floorDiv(in + 2L * pad - span, stride) + 1;
        if (out <= 0) {
            throw fail(
                    node,
                    "input size " + in + " is too small for kernel " + kernel + " (dilation " + dilation + ", padding "
                            + pad + "): the output would be empty");
        }
        return spatial(node, out);
    }

    /**
     * PyTorch's pooling output size. In ceil mode a last window that would start in the right padding
     * is dropped, so every window overlaps the input.
     */
    public static int poolOut(Node node, int in, int kernel, int stride, int pad, boolean ceil) {
        long numerator = in + 2L * pad - kernel;
        long out = (ceil ? Math.floorDiv(numerator + stride - 1, stride) : Math.floorDiv(numerator, stride)) + 1;
        if (ceil && (out - 1) * stride >= (long) in + pad) {
            out--;
        }
        if (out <= 0) {
            throw fail(
                    node,
                    "input size " + in + " is too small for pooling window " + kernel + " (padding " + pad
                            + "): the output would be empty");
        }
        return spatial(node, out);
    }

    private static int spatial(Node node, long size) {
        if (size > Integer.MAX_VALUE) {
            throw fail(node, "output size " + size + " is more than 2^31-1");
        }
        return (int) size;
    }

    /** A value's shape, refusing one whose channel count left the int range (a hostile concat or flatten). */
    private static Shape shape(Node node, long channels, int height, int width) {
        if (channels > Integer.MAX_VALUE) {
            throw fail(node, "produces " + channels + " channels, more than 2^31-1");
        }
        return new Shape((int) channels, height, width);
    }

    private static void requireWeight(Node node, Function<String, int[]> weightShape, String name, int... expected) {
        int[] actual = weightShape.apply(name);
        if (actual == null) {
            throw fail(node, "weight '" + name + "' is missing");
        }
        if (!Arrays.equals(actual, expected)) {
            throw fail(
                    node,
                    "weight '" + name + "' has shape " + Arrays.toString(actual) + ", expected "
                            + Arrays.toString(expected));
        }
    }

    private static VecnnException fail(Node node, String message) {
        return new VecnnException("node '" + node.name() + "': " + message);
    }
}
