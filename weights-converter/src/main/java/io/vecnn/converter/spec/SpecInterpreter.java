package io.vecnn.converter.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.converter.arch.Activation;
import io.vecnn.converter.arch.NetworkBuilder;
import io.vecnn.converter.arch.SqueezeExcitation;
import io.vecnn.converter.arch.Value;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.graph.ActivationFunction;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Walks a spec's layers, calling the network-building vocabulary once per layer. Kernel sizes, output
 * widths, groups and the presence of biases are read from the weights, as PyTorch's load_state_dict
 * would find them; everything a state dict cannot tell (strides, paddings, pools, activations, wiring)
 * comes from the spec. Every error names the layer by its path in the spec.
 */
final class SpecInterpreter {
    private static final int MAX_DEPTH = 64;
    /**
     * The largest network counts a few thousand layers; modules that use each other twice at every level
     * would expand to 2^64 within the depth limit, so the expansion itself is bounded.
     */
    static final int MAX_LAYERS = 100_000;
    /** State-dict prefixes and names are short; parameters substituted into each other could double at every step. */
    static final int MAX_TEXT = 4096;

    /** The layers written as a bare name, in the order error messages list them. */
    private static final List<String> SIMPLE = Stream.of(
                    Stream.of("relu"),
                    ActivationFunction.kinds().stream(),
                    Stream.of("flatten", "softmax", "log_softmax", "dropout"))
            .flatMap(s -> s)
            .toList();

    private final NetworkSpec spec;
    private final StateDict weights;
    private final NetworkBuilder nn;
    private int layers;

    SpecInterpreter(NetworkSpec spec, StateDict weights, NetworkBuilder nn) {
        this.spec = spec;
        this.weights = weights;
        this.nn = nn;
    }

    Value run(Value input) {
        return sequence(spec.layers(), input, "layers", 0);
    }

    private Value sequence(JsonNode layers, Value x, String path, int depth) {
        if (depth > MAX_DEPTH) {
            throw error(path, "nesting deeper than " + MAX_DEPTH + " (a module that uses itself?)");
        }
        if (!layers.isArray()) {
            throw error(path, "expected a list of layers, got " + layers);
        }
        for (int i = 0; i < layers.size(); i++) {
            x = checkedSize(layer(layers.get(i), x, path + "[" + i + "]", depth), path + "[" + i + "]");
        }
        return x;
    }

    /** Every later layer computes with the sizes in ints; an output no array can hold stops the build here. */
    private static Value checkedSize(Value y, String path) {
        Shape s = y.shape();
        if (s.channels() <= 0
                || s.height() <= 0
                || s.width() <= 0
                || (long) s.channels() * s.height() * s.width() > Integer.MAX_VALUE) {
            throw error(path, "the layer's output " + s + " is not a size an array can hold");
        }
        return y;
    }

    private Value layer(JsonNode layer, Value x, String path, int depth) {
        if (++layers > MAX_LAYERS) {
            throw error(
                    path,
                    "the spec expands to more than " + MAX_LAYERS
                            + " layers (modules that use each other many times over?)");
        }
        if (layer.isTextual()) {
            return simple(layer.asText(), x, path);
        }
        if (!layer.isObject()) {
            throw error(
                    path,
                    "a layer is a name such as \"relu\" or an object such as {\"conv\": \"features.0\"}, got " + layer);
        }
        Fields f = new Fields(layer, path);
        if (layer.has("use")) {
            return use(f, x, path, depth);
        }
        String kind = f.kind();
        String name = f.optionalText("name");
        switch (kind) {
            case "conv":
                return conv(f, x);
            case "batch_norm": {
                String prefix = f.text("batch_norm");
                return nn.batchNorm(prefix, x, f.number("eps", 1e-5));
            }
            case "layer_norm": {
                String prefix = f.text("layer_norm");
                return nn.layerNorm(prefix, x, f.number("eps", 1e-5));
            }
            case "channel_shuffle": {
                int groups = f.integer("channel_shuffle", 1);
                if (groups == 0 || x.channels() % groups != 0) {
                    throw error(
                            path,
                            "'channel_shuffle' takes a number of groups that divides the input's " + x.channels()
                                    + " channels, got " + groups);
                }
                return nn.channelShuffle(name(name, path), x, groups);
            }
            case "channel_slice": {
                int[] range = f.pair("channel_slice", null);
                if (range[0] >= range[1] || range[1] > x.channels()) {
                    throw error(
                            path,
                            "'channel_slice' takes [start, end] with 0 <= start < end <= the input's " + x.channels()
                                    + " channels, got [" + range[0] + ", " + range[1] + "]");
                }
                return nn.channelSlice(name(name, path), x, range[0], range[1]);
            }
            case "linear":
                return nn.linear(
                        f.text("linear"),
                        x,
                        outWidth(f.text("linear"), path),
                        weights.contains(f.text("linear") + ".bias"));
            case "max_pool": {
                Pool p = Pool.of(f, "max_pool");
                return nn.maxPool2d(name(name, path), x, p.kernel(), p.stride(), p.padding(), p.ceilMode());
            }
            case "avg_pool": {
                Pool p = Pool.of(f, "avg_pool");
                return nn.avgPool2d(
                        name(name, path), x, p.kernel(), p.stride(), p.padding(), p.ceilMode(), p.countIncludePad());
            }
            case "adaptive_avg_pool": {
                int[] size = f.pair("adaptive_avg_pool", null);
                return nn.adaptiveAvgPool2d(name(name, path), x, size[0], size[1]);
            }
            case "parallel":
                return parallel(f, x, path, depth);
            case "squeeze_excitation": {
                String prefix = f.text("squeeze_excitation");
                TorchTensor fc1 = weights.get(prefix + ".fc1.weight");
                return SqueezeExcitation.of(
                        nn,
                        prefix,
                        x,
                        fc1 != null && fc1.rank() == 4 ? fc1.dim(0) : 1,
                        activation(f, "activation", "relu"),
                        activation(f, "scale_activation", "sigmoid"));
            }
            case "subsample_pad": {
                JsonNode p = f.object("subsample_pad");
                Fields pf = new Fields(p, path + ".subsample_pad");
                int[] channels = pf.pair("channels", null);
                return nn.subsampleAndPadChannels(
                        name(name, path), x, pf.integer("stride", 1), channels[0], channels[1]);
            }
            default:
                throw error(path, "unknown layer kind '" + kind + "'");
        }
    }

    private Value simple(String kind, Value x, String path) {
        switch (kind) {
            case "relu":
                return nn.relu(path, x);
            case "flatten":
                return nn.flatten(path, x);
            case "softmax":
                return nn.softmax(path, x);
            case "log_softmax":
                return nn.logSoftmax(path, x);
            case "dropout":
                return x;
            default: {
                ActivationFunction function = ActivationFunction.byKind(kind);
                if (function == null) {
                    throw error(path, "unknown layer \"" + kind + "\"; plain layers are " + String.join(", ", SIMPLE));
                }
                return nn.activation(path, function, x);
            }
        }
    }

    /**
     * {@code nn.Conv2d}: out channels, kernel and bias come from the weight; stride, padding and groups (as in
     * PyTorch, default 1) from the spec. Groups are not guessed from the weight: a mis-wired layer whose
     * input happens to be a multiple of the weight's would otherwise pass as a grouped convolution.
     */
    private Value conv(Fields f, Value x) {
        String prefix = f.text("conv");
        TorchTensor w = weights.get(prefix + ".weight");
        int groups = f.integer("groups", 1);
        if (groups <= 0) {
            throw error(f.path(), "'groups' must be positive, got " + groups);
        }
        int out = 1;
        int kh = 1;
        int kw = 1;
        if (w != null && w.rank() == 4) {
            out = w.dim(0);
            kh = w.dim(2);
            kw = w.dim(3);
            if (w.dim(1) * groups != x.channels()) {
                throw error(
                        f.path(),
                        "'" + prefix + ".weight' has shape " + w.shapeString() + ", which "
                                + (groups == 1 ? "" : "with groups " + groups + " ") + "reads " + w.dim(1) * groups
                                + " input channels, but the input is " + x.shape());
            }
        }
        int[] kernel = f.pair("kernel", new int[] {kh, kw});
        int[] stride = f.pair("stride", new int[] {1, 1});
        int[] padding = f.pair("padding", new int[] {0, 0});
        return nn.conv2d(
                prefix,
                x,
                out,
                kernel[0],
                kernel[1],
                stride[0],
                stride[1],
                padding[0],
                padding[1],
                groups,
                weights.contains(prefix + ".bias"));
    }

    /** An activation named in a field: "relu", "none" or one of {@link ActivationFunction}'s. */
    private static Activation activation(Fields f, String field, String fallback) {
        String name = f.optionalText(field);
        name = name == null ? fallback : name;
        if (name.equals("relu")) {
            return Activation.RELU;
        }
        if (name.equals("none")) {
            return Activation.NONE;
        }
        ActivationFunction function = ActivationFunction.byKind(name);
        if (function == null) {
            throw error(
                    f.path(),
                    "'" + field + "' must be relu, none or one of " + String.join(", ", ActivationFunction.kinds())
                            + ", got \"" + name + "\"");
        }
        return Activation.of(function);
    }

    private int outWidth(String prefix, String path) {
        TorchTensor w = weights.get(prefix + ".weight");
        return w != null && w.rank() == 2 ? w.dim(0) : 1;
    }

    /** Branches that all read x, joined by channel concat (Inception) or by a sum (residual; an empty branch is the identity). */
    private Value parallel(Fields f, Value x, String path, int depth) {
        JsonNode branches = f.node("parallel");
        if (!branches.isArray() || branches.size() < 2) {
            throw error(path, "'parallel' needs a list of at least two branches (lists of layers)");
        }
        String join = f.optionalText("join");
        if (!"concat".equals(join) && !"add".equals(join)) {
            throw error(
                    path,
                    "'join' must be \"concat\" or \"add\", got " + (join == null ? "nothing" : "\"" + join + "\""));
        }
        List<Value> outs = new ArrayList<>();
        for (int b = 0; b < branches.size(); b++) {
            outs.add(sequence(branches.get(b), x, path + ".parallel[" + b + "]", depth + 1));
        }
        String name = name(f.optionalText("name"), path);
        Value[] values = outs.toArray(new Value[0]);
        if (join.equals("concat")) {
            long channels = 0;
            for (Value v : values) {
                channels += v.shape().channels();
            }
            if (channels > Integer.MAX_VALUE) {
                throw error(path, "concatenating the branches gives " + channels + " channels, more than an int holds");
            }
            return nn.concat(name, values);
        }
        for (Value v : values) {
            if (!v.shape().equals(values[0].shape())) {
                throw error(
                        path,
                        "the branches to add have different shapes "
                                + outs.stream().map(Value::shape).toList());
            }
        }
        return nn.add(name, values);
    }

    /** Expands a named module, replacing {@code {param}} in its strings by the values given here. */
    private Value use(Fields f, Value x, String path, int depth) {
        String module = f.text("use");
        JsonNode body = spec.modules().path(module);
        if (body.isMissingNode()) {
            throw error(path, "no module named '" + module + "' in 'modules'");
        }
        return sequence(substitute(body, (ObjectNode) f.node(), path), x, path + "(" + module + ")", depth + 1);
    }

    private static JsonNode substitute(JsonNode node, ObjectNode params, String path) {
        if (node.isTextual()) {
            String s = node.asText();
            // A string that is exactly one parameter takes the parameter's own JSON value, so numbers stay numbers.
            if (s.startsWith("{") && s.endsWith("}") && params.has(s.substring(1, s.length() - 1))) {
                return params.get(s.substring(1, s.length() - 1)).deepCopy();
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                s = replace(s, "{" + p.getKey() + "}", p.getValue().asText(), path);
            }
            return TextNode.valueOf(s);
        }
        if (node.isArray()) {
            var copy = node.deepCopy();
            for (int i = 0; i < copy.size(); i++) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) copy).set(i, substitute(node.get(i), params, path));
            }
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = ((ObjectNode) node).objectNode();
            node.fields().forEachRemaining(e -> copy.set(e.getKey(), substitute(e.getValue(), params, path)));
            return copy;
        }
        return node;
    }

    /** String.replace, refusing a result longer than {@link #MAX_TEXT} before building it. */
    private static String replace(String s, String target, String value, String path) {
        long length = s.length();
        for (int at = s.indexOf(target); at >= 0; at = s.indexOf(target, at + target.length())) {
            length += value.length() - target.length();
        }
        if (length > MAX_TEXT) {
            throw error(
                    path,
                    "substituting the module's parameters makes a string of " + length + " characters, more than the "
                            + MAX_TEXT + " a prefix or name may have");
        }
        return s.replace(target, value);
    }

    /**
     * A layer without weights is named by its path in the spec unless it is given a name, so that what the
     * graph reports about a node (an input size that collapses there) leads back to the spec's layer.
     */
    private static String name(String given, String path) {
        return given != null ? given : path;
    }

    static VecnnException error(String path, String message) {
        return new VecnnException("spec " + path + ": " + message);
    }
}
