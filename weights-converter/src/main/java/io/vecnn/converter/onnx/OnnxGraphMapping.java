package io.vecnn.converter.onnx;

import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.converter.fold.FlattenPermutation;
import io.vecnn.converter.fold.WeightLayout;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.ShapeInference;
import io.vecnn.graph.WeightTensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps a VecNN graph onto an ONNX {@code GraphProto} that computes the same function on NCHW tensors.
 *
 * <p>VecNN keeps every value as a C×H×W map; ONNX values here are either 4-d {@code [batch, C, H, W]} or,
 * from a Flatten or Gemm on, 2-d {@code [batch, C]}, as {@code torch.onnx.export} would write them. Each
 * ONNX node is named after the VecNN node it computes; the helper nodes some ops need are named
 * {@code <vecnn node>/<what>}, so profiles of the ONNX model trace back to VecNN's layers.
 */
final class OnnxGraphMapping {
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    private static final String BATCH = "batch";

    /** An ONNX value standing for a VecNN value: its name and whether it is 2-d. */
    private record Value(String name, boolean flat) {}

    private final Graph graph;
    private final Map<String, WeightTensor> weights;
    private final Map<String, Shape> shapes;
    private final Map<String, List<Node>> readers = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, Value> values = new HashMap<>();
    private final Set<String> names = new HashSet<>(List.of(INPUT, OUTPUT));
    private final Set<String> nchwFlattens = new HashSet<>();
    private final ProtoMessage onnx = new ProtoMessage();
    private final Map<Float, String> scalars = new HashMap<>();
    private String unsqueezeAxes;

    private OnnxGraphMapping(Graph graph, Map<String, WeightTensor> weights) {
        this.graph = graph;
        this.weights = weights;
        Map<String, int[]> weightShapes = new HashMap<>();
        weights.forEach((k, v) -> weightShapes.put(k, v.shape()));
        this.shapes = ShapeInference.infer(graph, weightShapes);
        for (Node node : graph.nodes()) {
            producers.put(node.output(), node);
            for (String in : node.inputs()) {
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
            }
        }
    }

    /** The {@code GraphProto} for {@code graph}, its weights as initializers in ONNX's layouts. */
    static ProtoMessage map(Graph graph, Map<String, WeightTensor> weights) {
        return new OnnxGraphMapping(graph, weights).build();
    }

    private ProtoMessage build() {
        Shape in = graph.inputShape();
        onnx.string(OnnxProtos.GRAPH_NAME, "vecnn");
        onnx.message(
                OnnxProtos.GRAPH_INPUT, OnnxProtos.floatValue(INPUT, BATCH, in.channels(), in.height(), in.width()));
        values.put(graph.input(), new Value(INPUT, false));
        for (Node node : graph.nodes()) {
            values.put(node.output(), emit(node));
        }
        Value last = values.get(graph.output());
        Shape out = shapes.get(graph.output());
        boolean flat = last.flat() || (out.height() == 1 && out.width() == 1);
        if (!last.name().equals(OUTPUT)) {
            String producer = producers.containsKey(graph.output())
                    ? producers.get(graph.output()).name()
                    : INPUT;
            node(
                    producer + (flat ? "/flatten" : "/output"),
                    flat && !last.flat() ? "Flatten" : "Identity",
                    List.of(last.name()),
                    OUTPUT);
        }
        onnx.message(
                OnnxProtos.GRAPH_OUTPUT,
                flat
                        ? OnnxProtos.floatValue(OUTPUT, BATCH, out.channels())
                        : OnnxProtos.floatValue(OUTPUT, BATCH, out.channels(), out.height(), out.width()));
        return onnx;
    }

    private Value emit(Node node) {
        Op op = node.op();
        Shape in = shapes.get(node.inputs().get(0));
        if (op instanceof Op.Conv2d c) {
            List<String> inputs = new ArrayList<>(
                    List.of(as4d(node, 0), initializer(c.weight(), WeightLayout.ohwiToOihw(weights.get(c.weight())))));
            if (c.bias() != null) {
                inputs.add(initializer(c.bias(), weights.get(c.bias())));
            }
            return define(
                    node,
                    "Conv",
                    inputs,
                    false,
                    OnnxProtos.attribute("group", c.groups()),
                    OnnxProtos.attribute("kernel_shape", c.kernelH(), c.kernelW()),
                    OnnxProtos.attribute("strides", c.strideH(), c.strideW()),
                    OnnxProtos.attribute("pads", c.padH(), c.padW(), c.padH(), c.padW()),
                    OnnxProtos.attribute("dilations", c.dilationH(), c.dilationW()));
        }
        if (op instanceof Op.ChannelAffine a) {
            Value x = values.get(node.inputs().get(0));
            int[] dims = x.flat() ? new int[] {1, in.channels()} : new int[] {1, in.channels(), 1, 1};
            String scaled = fresh(node.output() + "/scaled");
            node(node.name(), "Mul", List.of(x.name(), initializer(a.scale(), reshaped(a.scale(), dims))), scaled);
            return define(
                    node.name() + "/shift",
                    node,
                    "Add",
                    List.of(scaled, initializer(a.shift(), reshaped(a.shift(), dims))),
                    x.flat());
        }
        if (op instanceof Op.Relu) {
            return sameRank(node, "Relu");
        }
        if (op instanceof Op.Activation a) {
            return activation(node, a.function());
        }
        if (op instanceof Op.Softmax) {
            return sameRank(node, "Softmax", OnnxProtos.attribute("axis", 1));
        }
        if (op instanceof Op.LogSoftmax) {
            return sameRank(node, "LogSoftmax", OnnxProtos.attribute("axis", 1));
        }
        if (op instanceof Op.MaxPool2d p) {
            return pool(node, "MaxPool", in, p, false);
        }
        if (op instanceof Op.AvgPool2d p) {
            return pool(node, "AveragePool", in, p, p.countIncludePad());
        }
        if (op instanceof Op.AdaptiveAvgPool2d p) {
            return adaptiveAvgPool(node, p, in);
        }
        if (op instanceof Op.Flatten) {
            return flatten(node, in);
        }
        if (op instanceof Op.Linear l) {
            return linear(node, l);
        }
        if (op instanceof Op.Concat) {
            boolean flat = allFlat(node);
            return define(node, "Concat", flat ? onnxNames(node) : all4d(node), flat, OnnxProtos.attribute("axis", 1));
        }
        if (op instanceof Op.ScaleChannels) {
            return define(node, "Mul", List.of(as4d(node, 0), as4d(node, 1)), false);
        }
        if (op instanceof Op.ChannelShuffle g) {
            return channelShuffle(node, g.groups(), in);
        }
        if (op instanceof Op.ChannelSlice c) {
            return define(
                    node,
                    "Slice",
                    List.of(
                            as4d(node, 0),
                            int64s(node.output() + "/starts", c.start()),
                            int64s(node.output() + "/ends", c.end()),
                            int64s(node.output() + "/axes", 1)),
                    false);
        }
        if (op instanceof Op.LayerNorm l) {
            return layerNorm(node, l, in);
        }
        if (op instanceof Op.Add) {
            boolean flat = allFlat(node);
            return define(node, node.inputs().size() == 2 ? "Add" : "Sum", flat ? onnxNames(node) : all4d(node), flat);
        }
        throw fail(node, "op '" + op.kind() + "' has no ONNX mapping");
    }

    /**
     * ONNX's ceil mode keeps a last window that starts in the right padding, where PyTorch drops it. Pools
     * where that changes the output size are written without ceil mode, with the end padding that yields
     * PyTorch's last window: padding is ignored by MaxPool and, without count_include_pad, by AveragePool.
     * An average that counts padding gets PyTorch's padding as real zeros from a Pad node instead, so that
     * only the extra end padding goes uncounted, as PyTorch does not count a window's overhang past its
     * padding either.
     */
    private Value pool(Node node, String opType, Shape in, Op.Pool2d p, boolean countIncludePad) {
        int kh = p.kernelH();
        int kw = p.kernelW();
        int sh = p.strideH();
        int sw = p.strideW();
        int ph = p.padH();
        int pw = p.padW();
        boolean ceil = p.ceilMode();
        Shape out = shapes.get(node.output());
        String x = as4d(node, 0);
        int endH = (out.height() - 1) * sh + kh - in.height() - ph;
        int endW = (out.width() - 1) * sw + kw - in.width() - pw;
        boolean onnxCeilAgrees = out.height() == onnxCeilOut(in.height(), kh, sh, ph)
                && out.width() == onnxCeilOut(in.width(), kw, sw, pw);
        List<ProtoMessage> attributes = new ArrayList<>(
                List.of(OnnxProtos.attribute("kernel_shape", kh, kw), OnnxProtos.attribute("strides", sh, sw)));
        if (!ceil || onnxCeilAgrees) {
            attributes.add(OnnxProtos.attribute("pads", ph, pw, ph, pw));
            attributes.add(OnnxProtos.attribute("ceil_mode", ceil ? 1 : 0));
        } else if (countIncludePad) {
            String padded = fresh(node.output() + "/padded");
            String pads = fresh(node.output() + "/pads");
            onnx.message(OnnxProtos.GRAPH_INITIALIZER, OnnxProtos.int64Vector(pads, 0, 0, ph, pw, 0, 0, ph, pw));
            node(node.name() + "/pad", "Pad", List.of(x, pads), padded);
            x = padded;
            attributes.add(OnnxProtos.attribute("pads", 0, 0, Math.max(endH - ph, 0), Math.max(endW - pw, 0)));
            countIncludePad = false;
        } else {
            attributes.add(OnnxProtos.attribute("pads", ph, pw, Math.max(endH, ph), Math.max(endW, pw)));
        }
        if (opType.equals("AveragePool")) {
            attributes.add(OnnxProtos.attribute("count_include_pad", countIncludePad ? 1 : 0));
        }
        return define(node, opType, List.of(x), false, attributes.toArray(ProtoMessage[]::new));
    }

    /** The output size ONNX's ceil mode gives: every window that starts before the end of the padding. */
    private static int onnxCeilOut(int in, int kernel, int stride, int pad) {
        return Math.floorDiv(in + 2 * pad - kernel + stride - 1, stride) + 1;
    }

    /**
     * PyTorch's adaptive bin {@code i} covers {@code [floor(i*in/out), ceil((i+1)*in/out))}. Along an axis
     * whose output size divides the input size the bins are whole windows of {@code in/out} pixels, a plain
     * average pool; along one whose input size divides the output size each bin is the single pixel
     * {@code floor(i*in/out)}, a nearest-neighbour upsampling. Other sizes have overlapping bins of varying
     * width, which no ONNX pool expresses.
     */
    private Value adaptiveAvgPool(Node node, Op.AdaptiveAvgPool2d p, Shape in) {
        String x = as4d(node, 0);
        if (p.outH() == 1 && p.outW() == 1) {
            return define(node, "GlobalAveragePool", List.of(x), false);
        }
        if (p.outH() == in.height() && p.outW() == in.width()) {
            return define(node, "Identity", List.of(x), false);
        }
        int downH = in.height() % p.outH() == 0 ? in.height() / p.outH() : 0;
        int downW = in.width() % p.outW() == 0 ? in.width() / p.outW() : 0;
        int upH = p.outH() % in.height() == 0 ? p.outH() / in.height() : 0;
        int upW = p.outW() % in.width() == 0 ? p.outW() / in.width() : 0;
        if (downH == 0 && upH == 0 || downW == 0 && upW == 0) {
            throw fail(
                    node,
                    "adaptive average pooling from " + in.height() + "x" + in.width() + " to "
                            + p.outH() + "x" + p.outW()
                            + " has overlapping bins of unequal size, which ONNX pools cannot"
                            + " express (export at an input size where one of map size and output size divides the other)");
        }
        boolean up = upH > 1 || upW > 1;
        if (downH > 1 || downW > 1) {
            int kh = Math.max(downH, 1);
            int kw = Math.max(downW, 1);
            ProtoMessage[] windows = {
                OnnxProtos.attribute("kernel_shape", kh, kw), OnnxProtos.attribute("strides", kh, kw)
            };
            if (!up) {
                return define(node, "AveragePool", List.of(x), false, windows);
            }
            String pooled = fresh(node.output() + "/pooled");
            node(node.name() + "/pool", "AveragePool", List.of(x), pooled, windows);
            x = pooled;
        }
        String scales = fresh(node.output() + "/scales");
        onnx.message(OnnxProtos.GRAPH_INITIALIZER, OnnxProtos.floatTensor(scales, new int[] {4}, new float[] {
            1, 1, Math.max(upH, 1), Math.max(upW, 1)
        }));
        return define(
                node,
                "Resize",
                List.of(x, "", scales),
                false,
                OnnxProtos.attribute("mode", "nearest"),
                OnnxProtos.attribute("coordinate_transformation_mode", "asymmetric"),
                OnnxProtos.attribute("nearest_mode", "floor"));
    }

    /**
     * VecNN flattens in NHWC order. When only Linear layers read the result, ONNX's NCHW Flatten is used
     * and their weight columns are permuted instead, as in PyTorch; anything else that reads it sees the
     * values in VecNN's order, through a transpose to NHWC first.
     */
    private Value flatten(Node node, Shape in) {
        Value x = values.get(node.inputs().get(0));
        if (x.flat()) {
            return define(node, "Identity", List.of(x.name()), true);
        }
        boolean onlyLinear = !node.output().equals(graph.output())
                && readers.getOrDefault(node.output(), List.of()).stream().allMatch(r -> r.op() instanceof Op.Linear);
        if (in.height() == 1 && in.width() == 1 || onlyLinear) {
            nchwFlattens.add(node.output());
            return define(node, "Flatten", List.of(x.name()), true, OnnxProtos.attribute("axis", 1));
        }
        String nhwc = fresh(node.output() + "/nhwc");
        node(node.name() + "/to_nhwc", "Transpose", List.of(x.name()), nhwc, OnnxProtos.attribute("perm", 0, 2, 3, 1));
        return define(node, "Flatten", List.of(nhwc), true, OnnxProtos.attribute("axis", 1));
    }

    private Value linear(Node node, Op.Linear l) {
        String source = node.inputs().get(0);
        WeightTensor w = weights.get(l.weight());
        if (nchwFlattens.contains(source)) {
            w = new WeightTensor(
                    w.shape(),
                    FlattenPermutation.nhwcToNchwColumns(
                            w.data(),
                            w.shape()[0],
                            shapes.get(producers.get(source).inputs().get(0))));
        }
        List<String> inputs = new ArrayList<>(List.of(as2d(node), initializer(l.weight(), w)));
        if (l.bias() != null) {
            inputs.add(initializer(l.bias(), weights.get(l.bias())));
        }
        return define(node, "Gemm", inputs, true, OnnxProtos.attribute("transB", 1));
    }

    /** ShuffleNet's view as {@code [N, groups, C/groups, H, W]}, transpose of the two channel axes, and view back. */
    private Value channelShuffle(Node node, int groups, Shape in) {
        String x = as4d(node, 0);
        String grouped = step(
                node,
                "group",
                "Reshape",
                List.of(
                        x,
                        int64s(
                                node.output() + "/grouped_shape",
                                0,
                                groups,
                                in.channels() / groups,
                                in.height(),
                                in.width())));
        String transposed = fresh(node.output() + "/transposed");
        node(
                node.name() + "/transpose",
                "Transpose",
                List.of(grouped),
                transposed,
                OnnxProtos.attribute("perm", 0, 2, 1, 3, 4));
        return define(
                node,
                "Reshape",
                List.of(transposed, int64s(node.output() + "/shape", 0, in.channels(), in.height(), in.width())),
                false);
    }

    /**
     * Opset 13 has no LayerNormalization (it came in 17): spelled out as PyTorch computes it, the mean over the
     * channel axis, the biased variance of the deviations, then the per-channel weight and bias.
     */
    private Value layerNorm(Node node, Op.LayerNorm l, Shape in) {
        Value x = values.get(node.inputs().get(0));
        int[] dims = x.flat() ? new int[] {1, in.channels()} : new int[] {1, in.channels(), 1, 1};
        ProtoMessage axes = OnnxProtos.attribute("axes", new long[] {1});
        String mean = step(node, "mean", "ReduceMean", List.of(x.name()), axes);
        String centred = step(node, "centre", "Sub", List.of(x.name(), mean));
        String squared = step(node, "square", "Mul", List.of(centred, centred));
        String variance = step(node, "variance", "ReduceMean", List.of(squared), axes);
        String shifted = step(node, "add_eps", "Add", List.of(variance, scalar((float) l.eps())));
        String std = step(node, "sqrt", "Sqrt", List.of(shifted));
        String normalised = step(node, "normalise", "Div", List.of(centred, std));
        String scaled =
                step(node, "scale", "Mul", List.of(normalised, initializer(l.weight(), reshaped(l.weight(), dims))));
        return define(node, "Add", List.of(scaled, initializer(l.bias(), reshaped(l.bias(), dims))), x.flat());
    }

    /** An int64 vector initializer, such as a Reshape's shape or a Slice's bounds. */
    private String int64s(String wanted, long... values) {
        String name = fresh(wanted);
        onnx.message(OnnxProtos.GRAPH_INITIALIZER, OnnxProtos.int64Vector(name, values));
        return name;
    }

    /**
     * Opset 13 has Sigmoid, Tanh and Erf; the rest are spelled out in them and in arithmetic with scalar
     * constants, as PyTorch defines them (its HardSigmoid divides by 6, not ONNX's default alpha of 0.2).
     */
    private Value activation(Node node, ActivationFunction f) {
        Value x = values.get(node.inputs().get(0));
        String in = x.name();
        switch (f) {
            case SIGMOID:
                return sameRank(node, "Sigmoid");
            case TANH:
                return sameRank(node, "Tanh");
            case RELU6:
                return define(node, "Clip", List.of(in, scalar(0), scalar(6)), x.flat());
            case SILU: {
                String s = step(node, "sigmoid", "Sigmoid", List.of(in));
                return define(node, "Mul", List.of(in, s), x.flat());
            }
            case HARDSIGMOID:
            case HARDSWISH: {
                String shifted = step(node, "add3", "Add", List.of(in, scalar(3)));
                String clipped = step(node, "clip", "Clip", List.of(shifted, scalar(0), scalar(6)));
                if (f == ActivationFunction.HARDSIGMOID) {
                    return define(node, "Div", List.of(clipped, scalar(6)), x.flat());
                }
                String gate = step(node, "div6", "Div", List.of(clipped, scalar(6)));
                return define(node, "Mul", List.of(in, gate), x.flat());
            }
            case GELU: {
                String scaled = step(node, "div_sqrt2", "Div", List.of(in, scalar((float) Math.sqrt(2))));
                String erf = step(node, "erf", "Erf", List.of(scaled));
                String plus1 = step(node, "add1", "Add", List.of(erf, scalar(1)));
                String times = step(node, "mul_x", "Mul", List.of(in, plus1));
                return define(node, "Mul", List.of(times, scalar(0.5f)), x.flat());
            }
            default:
                throw fail(node, "activation " + f.kind() + " has no ONNX mapping");
        }
    }

    /** A helper node {@code <node>/<what>} of an op spelled out in several; returns its output. */
    private String step(Node node, String what, String opType, List<String> inputs, ProtoMessage... attributes) {
        String out = fresh(node.output() + "/" + what);
        node(node.name() + "/" + what, opType, inputs, out, attributes);
        return out;
    }

    /** A float scalar initializer, one per value. */
    private String scalar(float v) {
        return scalars.computeIfAbsent(v, k -> {
            String name = fresh("const_" + k);
            onnx.message(OnnxProtos.GRAPH_INITIALIZER, OnnxProtos.floatTensor(name, new int[0], new float[] {k}));
            return name;
        });
    }

    private Value sameRank(Node node, String opType, ProtoMessage... attributes) {
        Value x = values.get(node.inputs().get(0));
        return define(node, opType, List.of(x.name()), x.flat(), attributes);
    }

    private Value define(Node node, String opType, List<String> inputs, boolean flat, ProtoMessage... attributes) {
        return define(node.name(), node, opType, inputs, flat, attributes);
    }

    /**
     * Emits the node that computes {@code node}'s value. The graph's output is named {@code output} here
     * already when it has its final rank, so no identity node is needed behind it.
     */
    private Value define(
            String onnxName, Node node, String opType, List<String> inputs, boolean flat, ProtoMessage... attributes) {
        Shape s = shapes.get(node.output());
        boolean finalRank = flat || s.height() != 1 || s.width() != 1;
        String name = node.output().equals(graph.output()) && finalRank ? OUTPUT : fresh(node.output());
        node(onnxName, opType, inputs, name, attributes);
        return new Value(name, flat);
    }

    private void node(String name, String opType, List<String> inputs, String output, ProtoMessage... attributes) {
        onnx.message(OnnxProtos.GRAPH_NODE, OnnxProtos.node(name, opType, inputs, output, attributes));
    }

    private String as4d(Node node, int index) {
        Value x = values.get(node.inputs().get(index));
        if (!x.flat()) {
            return x.name();
        }
        if (unsqueezeAxes == null) {
            unsqueezeAxes = fresh("unsqueeze_axes");
            onnx.message(OnnxProtos.GRAPH_INITIALIZER, OnnxProtos.int64Vector(unsqueezeAxes, 2, 3));
        }
        String map = fresh(x.name() + "/map");
        node(node.name() + "/unsqueeze" + index, "Unsqueeze", List.of(x.name(), unsqueezeAxes), map);
        return map;
    }

    /** Linear reads a 1×1 map (ShapeInference checked it); a 4-d one is flattened first. */
    private String as2d(Node node) {
        Value x = values.get(node.inputs().get(0));
        if (x.flat()) {
            return x.name();
        }
        String vector = fresh(x.name() + "/vector");
        node(node.name() + "/flatten", "Flatten", List.of(x.name()), vector, OnnxProtos.attribute("axis", 1));
        return vector;
    }

    private boolean allFlat(Node node) {
        return node.inputs().stream().allMatch(in -> values.get(in).flat());
    }

    private List<String> onnxNames(Node node) {
        return node.inputs().stream().map(in -> values.get(in).name()).toList();
    }

    private List<String> all4d(Node node) {
        List<String> maps = new ArrayList<>();
        for (int i = 0; i < node.inputs().size(); i++) {
            maps.add(as4d(node, i));
        }
        return maps;
    }

    private String initializer(String weightName, WeightTensor w) {
        String name = fresh(weightName);
        onnx.message(OnnxProtos.GRAPH_INITIALIZER, OnnxProtos.floatTensor(name, w.shape(), w.data()));
        return name;
    }

    private WeightTensor reshaped(String weightName, int[] dims) {
        return new WeightTensor(dims, weights.get(weightName).data());
    }

    /** {@code wanted}, or {@code wanted_2}, {@code wanted_3}... when a value or initializer already has it. */
    private String fresh(String wanted) {
        String name = wanted;
        for (int k = 2; !names.add(name); k++) {
            name = wanted + "_" + k;
        }
        return name;
    }

    private static VecnnException fail(Node node, String why) {
        return new VecnnException("cannot export node '" + node.name() + "' to ONNX: " + why);
    }
}
