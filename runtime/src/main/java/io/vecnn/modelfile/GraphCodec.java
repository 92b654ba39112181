package io.vecnn.modelfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The graph as JSON, stored in the model file's {@code __metadata__}. Each node is an object with
 * {@code name}, {@code op}, {@code inputs}, {@code output} and the op's parameters under their
 * record component names; reading is strict, so a hand-edited file gets an error naming the node and field.
 */
public final class GraphCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GraphCodec() {}

    public static String toJson(Graph graph) {
        ObjectNode root = JSON.createObjectNode();
        root.put("input", graph.input());
        ArrayNode shape = root.putArray("input_shape");
        shape.add(graph.inputShape().channels())
                .add(graph.inputShape().height())
                .add(graph.inputShape().width());
        root.put("output", graph.output());
        ArrayNode nodes = root.putArray("nodes");
        for (Node node : graph.nodes()) {
            ObjectNode n = nodes.addObject();
            n.put("name", node.name());
            n.put("op", node.op().kind());
            ArrayNode inputs = n.putArray("inputs");
            node.inputs().forEach(inputs::add);
            n.put("output", node.output());
            writeParams(node.op(), n);
        }
        return root.toString();
    }

    public static Graph fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new VecnnException("model graph is not valid JSON: " + e.getOriginalMessage());
        }
        Fields top = new Fields(root, "graph");
        JsonNode shapeNode = top.array("input_shape");
        if (shapeNode.size() != 3) {
            throw new VecnnException("graph: input_shape must be [channels, height, width], got " + shapeNode);
        }
        int[] dims = {top.intAt(shapeNode, 0), top.intAt(shapeNode, 1), top.intAt(shapeNode, 2)};
        if (dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0) {
            throw new VecnnException("graph: input_shape dimensions must be positive, got " + shapeNode);
        }
        Shape inputShape = new Shape(dims[0], dims[1], dims[2]);
        List<Node> nodes = new ArrayList<>();
        for (JsonNode n : top.array("nodes")) {
            nodes.add(readNode(n, nodes.size()));
        }
        return new Graph(top.string("input"), inputShape, nodes, top.string("output"));
    }

    /** One node in the graph's JSON form (used by tests that build single-op graphs from other tools' output). */
    public static Node nodeFromJson(String json) {
        try {
            return readNode(JSON.readTree(json), 0);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new VecnnException("node is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Node readNode(JsonNode n, int index) {
        Fields f = new Fields(
                n, "node " + (n != null && n.has("name") ? "'" + n.get("name").asText() + "'" : "#" + index));
        List<String> inputs = new ArrayList<>();
        for (JsonNode in : f.array("inputs")) {
            if (!in.isTextual()) {
                throw f.error("inputs must be strings, got " + in);
            }
            inputs.add(in.asText());
        }
        return new Node(f.string("name"), readOp(f), inputs, f.string("output"));
    }

    private static void writeParams(Op op, ObjectNode n) {
        if (op instanceof Op.Conv2d c) {
            n.put("out_channels", c.outChannels());
            n.putArray("kernel").add(c.kernelH()).add(c.kernelW());
            n.putArray("stride").add(c.strideH()).add(c.strideW());
            n.putArray("padding").add(c.padH()).add(c.padW());
            n.putArray("dilation").add(c.dilationH()).add(c.dilationW());
            n.put("groups", c.groups());
            n.put("weight", c.weight());
            n.put("bias", c.bias());
        } else if (op instanceof Op.ChannelAffine a) {
            n.put("scale", a.scale());
            n.put("shift", a.shift());
        } else if (op instanceof Op.MaxPool2d p) {
            n.putArray("kernel").add(p.kernelH()).add(p.kernelW());
            n.putArray("stride").add(p.strideH()).add(p.strideW());
            n.putArray("padding").add(p.padH()).add(p.padW());
            n.put("ceil_mode", p.ceilMode());
        } else if (op instanceof Op.AvgPool2d p) {
            n.putArray("kernel").add(p.kernelH()).add(p.kernelW());
            n.putArray("stride").add(p.strideH()).add(p.strideW());
            n.putArray("padding").add(p.padH()).add(p.padW());
            n.put("ceil_mode", p.ceilMode());
            n.put("count_include_pad", p.countIncludePad());
        } else if (op instanceof Op.AdaptiveAvgPool2d p) {
            n.putArray("output_size").add(p.outH()).add(p.outW());
        } else if (op instanceof Op.Linear l) {
            n.put("out_features", l.outFeatures());
            n.put("weight", l.weight());
            n.put("bias", l.bias());
        } else if (op instanceof Op.ChannelShuffle g) {
            n.put("groups", g.groups());
        } else if (op instanceof Op.ChannelSlice c) {
            n.put("start", c.start());
            n.put("end", c.end());
        } else if (op instanceof Op.LayerNorm l) {
            n.put("eps", l.eps());
            n.put("weight", l.weight());
            n.put("bias", l.bias());
        }
    }

    private static Op readOp(Fields f) {
        String kind = f.string("op");
        switch (kind) {
            case "conv2d": {
                int[] k = f.pair("kernel");
                int[] s = f.pair("stride");
                int[] p = f.pair("padding");
                int[] d = f.pair("dilation");
                return new Op.Conv2d(
                        f.integer("out_channels"),
                        k[0],
                        k[1],
                        s[0],
                        s[1],
                        p[0],
                        p[1],
                        d[0],
                        d[1],
                        f.integer("groups"),
                        f.string("weight"),
                        f.optionalString("bias"));
            }
            case "channel_affine":
                return new Op.ChannelAffine(f.string("scale"), f.string("shift"));
            case "relu":
                return new Op.Relu();
            case "max_pool2d": {
                int[] k = f.pair("kernel");
                int[] s = f.pair("stride");
                int[] p = f.pair("padding");
                return new Op.MaxPool2d(k[0], k[1], s[0], s[1], p[0], p[1], f.bool("ceil_mode"));
            }
            case "avg_pool2d": {
                int[] k = f.pair("kernel");
                int[] s = f.pair("stride");
                int[] p = f.pair("padding");
                return new Op.AvgPool2d(
                        k[0], k[1], s[0], s[1], p[0], p[1], f.bool("ceil_mode"), f.bool("count_include_pad"));
            }
            case "adaptive_avg_pool2d": {
                int[] o = f.pair("output_size");
                return new Op.AdaptiveAvgPool2d(o[0], o[1]);
            }
            case "flatten":
                return new Op.Flatten();
            case "linear":
                return new Op.Linear(f.integer("out_features"), f.string("weight"), f.optionalString("bias"));
            case "concat":
                return new Op.Concat();
            case "add":
                return new Op.Add();
            case "scale_channels":
                return new Op.ScaleChannels();
            case "channel_shuffle":
                return new Op.ChannelShuffle(f.integer("groups"));
            case "channel_slice":
                return new Op.ChannelSlice(f.integer("start"), f.integer("end"));
            case "layer_norm":
                return new Op.LayerNorm(f.number("eps"), f.string("weight"), f.string("bias"));
            case "softmax":
                return new Op.Softmax();
            case "log_softmax":
                return new Op.LogSoftmax();
            default: {
                ActivationFunction function = ActivationFunction.byKind(kind);
                if (function == null) {
                    throw f.error("unknown op '" + kind + "'");
                }
                return new Op.Activation(function);
            }
        }
    }

    /** Strict field access that names the owner and field in every error. */
    private record Fields(JsonNode node, String owner) {
        Fields {
            if (node == null || !node.isObject()) {
                throw new VecnnException(owner + " must be a JSON object");
            }
        }

        VecnnException error(String message) {
            return new VecnnException(owner + ": " + message);
        }

        JsonNode field(String name) {
            JsonNode v = node.get(name);
            if (v == null) {
                throw error("missing field '" + name + "'");
            }
            return v;
        }

        /** The field, refused unless {@code is} holds for it; {@code what} is the type the message asks for. */
        JsonNode typed(String name, Predicate<JsonNode> is, String what) {
            JsonNode v = field(name);
            if (!is.test(v)) {
                throw error("field '" + name + "' must be " + what + ", got " + v);
            }
            return v;
        }

        String string(String name) {
            return typed(name, JsonNode::isTextual, "a string").asText();
        }

        String optionalString(String name) {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? null : string(name);
        }

        int integer(String name) {
            return typed(name, v -> v.canConvertToInt() && v.isIntegralNumber(), "a 32-bit integer")
                    .intValue();
        }

        double number(String name) {
            return typed(name, JsonNode::isNumber, "a number").doubleValue();
        }

        boolean bool(String name) {
            return typed(name, JsonNode::isBoolean, "true or false").booleanValue();
        }

        JsonNode array(String name) {
            return typed(name, JsonNode::isArray, "an array");
        }

        int intAt(JsonNode array, int i) {
            JsonNode v = array.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw error("expected an integer at index " + i + " of " + array);
            }
            return v.intValue();
        }

        int[] pair(String name) {
            JsonNode a = array(name);
            if (a.size() != 2) {
                throw error("field '" + name + "' must hold two integers [h, w], got " + a);
            }
            return new int[] {intAt(a, 0), intAt(a, 1)};
        }
    }
}
