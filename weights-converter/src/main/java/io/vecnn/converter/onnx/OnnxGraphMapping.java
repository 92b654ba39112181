package io.vecnn.converter.onnx;

import io.vecnn.VecnnException;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.Shape;
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
    private record Value(String name, boolean flat) {
    }

    private final Graph graph;
    private final Map<String, WeightTensor> weights;
    private final Map<String, Shape> shapes;
    private final Map<String, List<Node>> readers = new HashMap<>();
    private final Map<String, Node> producers = new HashMap<>();
    private final Map<String, Value> values = new HashMap<>();
    private final Set<String> names = new HashSet<>(List.of(INPUT, OUTPUT));
    private final Set<String> nchwFlattens = new HashSet<>();
    private final ProtoMessage onnx = new ProtoMessage();
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
        onnx.message(OnnxProtos.GRAPH_INPUT, OnnxProtos.floatValue(INPUT, BATCH, in.channels(), in.height(), in.width()));
        values.put(graph.input(), new Value(INPUT, false));
        for (Node node : graph.nodes()) {
            values.put(node.output(), emit(node));
        }
        Value last = values.get(graph.output());
        Shape out = shapes.get(graph.output());
        boolean flat = last.flat() || (out.height() == 1 && out.width() == 1);
        if (!last.name().equals(OUTPUT)) {
            String producer = producers.containsKey(graph.output()) ? producers.get(graph.output()).name() : INPUT;
            node(producer + (flat ? "/flatten" : "/output"), flat && !last.flat() ? "Flatten" : "Identity",
                    List.of(last.name()), OUTPUT);
        }
        onnx.message(OnnxProtos.GRAPH_OUTPUT, flat ? OnnxProtos.floatValue(OUTPUT, BATCH, out.channels())
                : OnnxProtos.floatValue(OUTPUT, BATCH, out.channels(), out.height(), out.width()));
        return onnx;
    }

    private Value emit(Node node) {
        Op op = node.op();
        Shape in = shapes.get(node.inputs().get(0));
        if (op instanceof Op.Conv2d c) {
            List<String> inputs = new ArrayList<>(List.of(as4d(node, 0),
                    initializer(c.weight(), OnnxWeightLayout.ohwiToOihw(weights.get(c.weight())))));
            if (c.bias() != null) {
                inputs.add(initializer(c.bias(), weights.get(c.bias())));
            }
            return define(node, "Conv", inputs, false,
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
            return define(node.name() + "/shift", node, "Add",
                    List.of(scaled, initializer(a.shift(), reshaped(a.shift(), dims))), x.flat());
        }
        if (op instanceof Op.Relu) {
            return sameRank(node, "Relu");
        }
        if (op instanceof Op.Softmax) {
            return sameRank(node, "Softmax", OnnxProtos.attribute("axis", 1));
        }
        if (op instanceof Op.LogSoftmax) {
            return sameRank(node, "LogSoftmax", OnnxProtos.attribute("axis", 1));
        }
        if (op instanceof Op.MaxPool2d p) {
            return define(node, "MaxPool", List.of(as4d(node, 0)), false,
                    OnnxProtos.attribute("kernel_shape", p.kernelH(), p.kernelW()),
                    OnnxProtos.attribute("strides", p.strideH(), p.strideW()),
                    OnnxProtos.attribute("pads", p.padH(), p.padW(), p.padH(), p.padW()),
                    OnnxProtos.attribute("ceil_mode", p.ceilMode() ? 1 : 0));
        }
        if (op instanceof Op.AvgPool2d p) {
            return define(node, "AveragePool", List.of(as4d(node, 0)), false,
                    OnnxProtos.attribute("kernel_shape", p.kernelH(), p.kernelW()),
                    OnnxProtos.attribute("strides", p.strideH(), p.strideW()),
                    OnnxProtos.attribute("pads", p.padH(), p.padW(), p.padH(), p.padW()),
                    OnnxProtos.attribute("ceil_mode", p.ceilMode() ? 1 : 0),
                    OnnxProtos.attribute("count_include_pad", p.countIncludePad() ? 1 : 0));
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
            return define(node, "Concat", flat ? names(node) : all4d(node), flat, OnnxProtos.attribute("axis", 1));
        }
        if (op instanceof Op.Add) {
            boolean flat = allFlat(node);
            return define(node, node.inputs().size() == 2 ? "Add" : "Sum", flat ? names(node) : all4d(node), flat);
        }
        throw fail(node, "op '" + op.kind() + "' has no ONNX mapping");
    }

    /**
     * PyTorch's adaptive bins are whole windows of {@code in / out} pixels when the output size divides the
     * input size, so that case is a plain average pool; other sizes have overlapping bins of varying width,
     * which no ONNX pool expresses.
     */
    private Value adaptiveAvgPool(Node node, Op.AdaptiveAvgPool2d p, Shape in) {
        String x = as4d(node, 0);
        if (p.outH() == 1 && p.outW() == 1) {
            return define(node, "GlobalAveragePool", List.of(x), false);
        }
        if (p.outH() == in.height() && p.outW() == in.width()) {
            return define(node, "Identity", List.of(x), false);
        }
        if (in.height() % p.outH() != 0 || in.width() % p.outW() != 0) {
            throw fail(node, "adaptive average pooling from " + in.height() + "x" + in.width() + " to "
                    + p.outH() + "x" + p.outW() + " has bins of unequal size, which ONNX pools cannot express"
                    + " (export at an input size where the output size divides the map size)");
        }
        int kh = in.height() / p.outH();
        int kw = in.width() / p.outW();
        return define(node, "AveragePool", List.of(x), false,
                OnnxProtos.attribute("kernel_shape", kh, kw), OnnxProtos.attribute("strides", kh, kw));
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
            w = OnnxWeightLayout.nhwcToNchwColumns(w, shapes.get(producers.get(source).inputs().get(0)));
        }
        List<String> inputs = new ArrayList<>(List.of(as2d(node), initializer(l.weight(), w)));
        if (l.bias() != null) {
            inputs.add(initializer(l.bias(), weights.get(l.bias())));
        }
        return define(node, "Gemm", inputs, true, OnnxProtos.attribute("transB", 1));
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
    private Value define(String onnxName, Node node, String opType, List<String> inputs, boolean flat,
                         ProtoMessage... attributes) {
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

    private List<String> names(Node node) {
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
