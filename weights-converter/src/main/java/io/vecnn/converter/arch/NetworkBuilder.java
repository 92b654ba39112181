package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.converter.fold.BatchNormFolding;
import io.vecnn.converter.fold.FlattenPermutation;
import io.vecnn.converter.fold.InputAffineFolding;
import io.vecnn.converter.fold.WeightLayout;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.ShapeInference;
import io.vecnn.graph.WeightTensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The vocabulary architectures are written in: one call per PyTorch module, named by its state-dict
 * prefix, so a definition reads like torchvision's {@code forward}. Each call takes its weights from a
 * {@link WeightSource}, appends a graph node and returns the new value.
 *
 * <p>The builder does the layout work as it goes: convolution weights become OHWI, a BatchNorm right
 * after a convolution is folded into it, a per-channel affine map right before an unpadded convolution
 * is folded into that, and a Linear right after a flatten gets its columns permuted from NCHW to NHWC
 * flatten order. Nodes that nothing reads any more after folding are left out of the built graph.
 */
public final class NetworkBuilder {
    private final WeightSource source;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, WeightTensor> weights = new LinkedHashMap<>();
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();
    private final Map<String, Shape> shapes = new HashMap<>();
    private final Map<String, Integer> nameUses = new HashMap<>();
    private final List<String> skipped = new ArrayList<>();
    private long valuesTaken;
    private Value input;

    public NetworkBuilder(WeightSource source) {
        this.source = source;
    }

    public Value input(Shape shape) {
        input = new Value("input", shape);
        shapes.put(input.name(), shape);
        return input;
    }

    /** {@code nn.Conv2d(in, out, kernel, stride, padding, bias=bias)} with square kernel, stride and padding. */
    public Value conv2d(String prefix, Value x, int out, int kernel, int stride, int padding, boolean bias) {
        return conv2d(prefix, x, out, kernel, kernel, stride, stride, padding, padding, 1, bias);
    }

    /** The general {@code nn.Conv2d}: rectangular kernel, stride and padding, groups; output width from the file. */
    public Value conv2d(
            String prefix,
            Value x,
            int out,
            int kernelH,
            int kernelW,
            int strideH,
            int strideW,
            int padH,
            int padW,
            int groups,
            boolean bias) {
        int in = x.channels();
        TorchTensor w =
                take(prefix + ".weight", new int[] {out, in / groups, kernelH, kernelW}, true, WeightRole.CONV_WEIGHT);
        int outChannels = w.dim(0);
        float[] b = bias
                ? take(prefix + ".bias", new int[] {outChannels}, false, WeightRole.BIAS)
                        .data()
                : null;
        Integer from = producer.get(x.name());
        if (padH == 0 && padW == 0 && from != null && nodes.get(from).op() instanceof Op.ChannelAffine affine) {
            InputAffineFolding.Folded folded = InputAffineFolding.fold(
                    w,
                    b,
                    groups,
                    weights.get(affine.scale()).data(),
                    weights.get(affine.shift()).data());
            w = folded.weight();
            b = folded.bias();
            String before = nodes.get(from).inputs().get(0);
            x = new Value(before, shapes.get(before));
        }
        String weightName = prefix + ".weight";
        weights.put(weightName, WeightLayout.oihwToOhwi(w));
        String biasName = null;
        if (b != null) {
            biasName = prefix + ".bias";
            weights.put(biasName, WeightTensor.vector(b));
        }
        return add(
                prefix,
                new Op.Conv2d(
                        outChannels,
                        kernelH,
                        kernelW,
                        strideH,
                        strideW,
                        padH,
                        padW,
                        1,
                        1,
                        groups,
                        weightName,
                        biasName),
                x);
    }

    /**
     * A depthwise {@code nn.Conv2d(C, C, kernel, stride, padding, groups=C)}: as many outputs as inputs, so its
     * width is the input's rather than the file's (and a file whose weight is not {@code [C, 1, k, k]} is a
     * mismatch, not another network).
     */
    public Value depthwiseConv2d(String prefix, Value x, int kernel, int stride, int padding, boolean bias) {
        int c = x.channels();
        TorchTensor w = take(prefix + ".weight", new int[] {c, 1, kernel, kernel}, false, WeightRole.CONV_WEIGHT);
        String weightName = prefix + ".weight";
        weights.put(weightName, WeightLayout.oihwToOhwi(w));
        String biasName = bias ? takeBias(prefix, c) : null;
        return add(
                prefix,
                new Op.Conv2d(c, kernel, kernel, stride, stride, padding, padding, 1, 1, c, weightName, biasName),
                x);
    }

    /**
     * The kernel size of the convolution under {@code prefix} as the file has it, for layers whose
     * published weights differ from their paper (GoogLeNet's "5x5" branch); {@code fallback} when the
     * source has no such weight (synthetic weights) or it is not a square 4-d kernel, which the key check
     * then reports.
     */
    public int kernelSize(String prefix, int fallback) {
        return source.shapeOf(prefix + ".weight")
                .filter(s -> s.length == 4 && s[2] == s[3])
                .map(s -> s[2])
                .orElse(fallback);
    }

    /**
     * The input channels per group of the convolution under {@code prefix} as the file has it (its weight's
     * second dimension), for grouped convolutions whose group count follows from the file's widths (RegNet's
     * 3x3s); {@code fallback} when the source has no such 4-d weight (synthetic weights).
     */
    public int convGroupWidth(String prefix, int fallback) {
        return source.shapeOf(prefix + ".weight")
                .filter(s -> s.length == 4 && s[1] > 0)
                .map(s -> s[1])
                .orElse(fallback);
    }

    /** A fixed per-channel {@code x[c] * scale[c] + shift[c]}, such as torchvision's {@code transform_input}. */
    public Value channelAffine(String name, Value x, float[] scale, float[] shift) {
        String unique = uniqueName(name);
        weights.put(unique + ".scale", WeightTensor.vector(scale));
        weights.put(unique + ".shift", WeightTensor.vector(shift));
        return addNamed(unique, new Op.ChannelAffine(unique + ".scale", unique + ".shift"), x);
    }

    /**
     * {@code nn.BatchNorm2d} in eval mode. Folded into the convolution that produced {@code x} when
     * nothing else reads that convolution's output; otherwise kept as a per-channel affine op.
     */
    public Value batchNorm(String prefix, Value x, double eps) {
        return batchNorm(prefix, x, eps, WeightRole.BN_WEIGHT);
    }

    /**
     * {@link #batchNorm(String, Value, double)} whose weight has {@code weightRole}, e.g.
     * {@link WeightRole#RESIDUAL_BN_WEIGHT} for the BatchNorm that ends a residual branch.
     */
    public Value batchNorm(String prefix, Value x, double eps, WeightRole weightRole) {
        int c = x.channels();
        float[] gamma =
                take(prefix + ".weight", new int[] {c}, false, weightRole).data();
        float[] beta =
                take(prefix + ".bias", new int[] {c}, false, WeightRole.BN_BIAS).data();
        float[] mean = take(prefix + ".running_mean", new int[] {c}, false, WeightRole.BN_RUNNING_MEAN)
                .data();
        float[] var = take(prefix + ".running_var", new int[] {c}, false, WeightRole.BN_RUNNING_VAR)
                .data();
        source.takeOptional(prefix + ".num_batches_tracked", WeightRole.BN_NUM_BATCHES_TRACKED);
        return foldedAffine(prefix, x, BatchNormFolding.affine(gamma, beta, mean, var, eps));
    }

    /**
     * ConvNeXt's {@code layer_scale}, a {@code [C, 1, 1]} parameter multiplying the block's output channel by
     * channel: folded like a BatchNorm into the convolution that produced {@code x} when nothing else reads it,
     * otherwise a per-channel affine op without shift.
     */
    public Value layerScale(String key, Value x) {
        int c = x.channels();
        float[] gamma =
                take(key, new int[] {c, 1, 1}, false, WeightRole.LAYER_SCALE).data();
        return foldedAffine(key, x, new BatchNormFolding.Affine(gamma, new float[c]));
    }

    /** A per-channel affine map, folded into the convolution before it when that is {@code x}'s only reader. */
    private Value foldedAffine(String prefix, Value x, BatchNormFolding.Affine affine) {
        Integer convIndex = producer.get(x.name());
        if (convIndex != null
                && nodes.get(convIndex).op() instanceof Op.Conv2d conv
                && readers.getOrDefault(x.name(), 0) == 0) {
            String biasName =
                    conv.bias() != null ? conv.bias() : nodes.get(convIndex).name() + ".bias";
            float[] oldBias = conv.bias() != null ? weights.get(conv.bias()).data() : null;
            weights.put(conv.weight(), BatchNormFolding.scaleOutputs(weights.get(conv.weight()), affine));
            weights.put(biasName, WeightTensor.vector(BatchNormFolding.foldBias(oldBias, affine)));
            Node old = nodes.get(convIndex);
            nodes.set(
                    convIndex,
                    new Node(
                            old.name(),
                            new Op.Conv2d(
                                    conv.outChannels(),
                                    conv.kernelH(),
                                    conv.kernelW(),
                                    conv.strideH(),
                                    conv.strideW(),
                                    conv.padH(),
                                    conv.padW(),
                                    conv.dilationH(),
                                    conv.dilationW(),
                                    conv.groups(),
                                    conv.weight(),
                                    biasName),
                            old.inputs(),
                            old.output()));
            return x;
        }
        weights.put(prefix + ".scale", WeightTensor.vector(affine.scale()));
        weights.put(prefix + ".shift", WeightTensor.vector(affine.shift()));
        return add(prefix, new Op.ChannelAffine(prefix + ".scale", prefix + ".shift"), x);
    }

    /**
     * A LayerNorm over each pixel's channels: ConvNeXt's {@code LayerNorm2d(C)} on an NCHW map and
     * {@code nn.LayerNorm(C)} on a channels-last one are the same op on NHWC.
     */
    /** Takes {@code prefix.bias} of {@code channels} values into the graph's weights; returns its name. */
    private String takeBias(String prefix, int channels) {
        String name = prefix + ".bias";
        weights.put(
                name,
                WeightTensor.vector(
                        take(name, new int[] {channels}, false, WeightRole.BIAS).data()));
        return name;
    }

    public Value layerNorm(String prefix, Value x, double eps) {
        int c = x.channels();
        String weightName = prefix + ".weight";
        String biasName = prefix + ".bias";
        weights.put(
                weightName,
                WeightTensor.vector(take(weightName, new int[] {c}, false, WeightRole.LAYER_NORM_WEIGHT)
                        .data()));
        weights.put(
                biasName,
                WeightTensor.vector(
                        take(biasName, new int[] {c}, false, WeightRole.BIAS).data()));
        return add(prefix, new Op.LayerNorm(eps, weightName, biasName), x);
    }

    /**
     * {@code nn.Linear(in, out)} applied to a channels-last map, each pixel on its own (ConvNeXt's block): a 1x1
     * convolution, its {@code [out, in]} weight already the OHWI {@code [out, 1, 1, in]} layout.
     */
    public Value pixelwiseLinear(String prefix, Value x, int out, boolean bias) {
        int in = x.channels();
        TorchTensor w = take(prefix + ".weight", new int[] {out, in}, true, WeightRole.LINEAR_WEIGHT);
        int outFeatures = w.dim(0);
        String weightName = prefix + ".weight";
        weights.put(weightName, new WeightTensor(new int[] {outFeatures, 1, 1, in}, w.data()));
        String biasName = bias ? takeBias(prefix, outFeatures) : null;
        return add(prefix, new Op.Conv2d(outFeatures, 1, 1, 1, 1, 0, 0, 1, 1, 1, weightName, biasName), x);
    }

    /** ShuffleNet's {@code channel_shuffle(x, groups)}. */
    public Value channelShuffle(String name, Value x, int groups) {
        return add(name, new Op.ChannelShuffle(groups), x);
    }

    /** Channels {@code [start, end)} of {@code x}: one part of {@code x.chunk(n, dim=1)}. */
    public Value channelSlice(String name, Value x, int start, int end) {
        return add(name, new Op.ChannelSlice(start, end), x);
    }

    public Value relu(String name, Value x) {
        return add(name, new Op.Relu(), x);
    }

    /** ReLU6, sigmoid, tanh, SiLU, hardswish, hardsigmoid or GELU. */
    public Value activation(String name, ActivationFunction function, Value x) {
        return add(name, new Op.Activation(function), x);
    }

    /** {@code x * s}, {@code s} per channel ({@code C×1×1}), broadcast over the pixels. */
    public Value scaleChannels(String name, Value x, Value s) {
        return add(name, new Op.ScaleChannels(), x, s);
    }

    public Value maxPool2d(String name, Value x, int kernel, int stride, int padding, boolean ceilMode) {
        return add(name, new Op.MaxPool2d(kernel, kernel, stride, stride, padding, padding, ceilMode), x);
    }

    public Value avgPool2d(
            String name, Value x, int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        return add(
                name, new Op.AvgPool2d(kernel, kernel, stride, stride, padding, padding, ceilMode, countIncludePad), x);
    }

    public Value adaptiveAvgPool2d(String name, Value x, int outH, int outW) {
        return add(name, new Op.AdaptiveAvgPool2d(outH, outW), x);
    }

    /** {@code torch.flatten(x, 1)}. */
    public Value flatten(String name, Value x) {
        return add(name, new Op.Flatten(), x);
    }

    /** {@code nn.Linear(in, out, bias)}; the output width comes from the file. */
    public Value linear(String prefix, Value x, int out, boolean bias) {
        int in = x.channels();
        TorchTensor w = take(prefix + ".weight", new int[] {out, in}, true, WeightRole.LINEAR_WEIGHT);
        int outFeatures = w.dim(0);
        float[] data = w.data();
        Integer from = producer.get(x.name());
        if (from != null && nodes.get(from).op() instanceof Op.Flatten) {
            data = FlattenPermutation.nchwToNhwcColumns(
                    data, outFeatures, shapes.get(nodes.get(from).inputs().get(0)));
        }
        String weightName = prefix + ".weight";
        weights.put(weightName, new WeightTensor(new int[] {outFeatures, in}, data));
        String biasName = bias ? takeBias(prefix, outFeatures) : null;
        return add(prefix, new Op.Linear(outFeatures, weightName, biasName), x);
    }

    /** {@code a + b + ...}, the residual connection. */
    public Value add(String name, Value... xs) {
        return add(name, new Op.Add(), xs);
    }

    /** {@code torch.cat(xs, 1)}. */
    public Value concat(String name, Value... xs) {
        return add(name, new Op.Concat(), xs);
    }

    public Value softmax(String name, Value x) {
        return add(name, new Op.Softmax(), x);
    }

    /** {@code F.log_softmax(x, 1)}. */
    public Value logSoftmax(String name, Value x) {
        return add(name, new Op.LogSoftmax(), x);
    }

    /**
     * The parameter-free "option A" shortcut of CIFAR ResNets: {@code x[:, :, ::stride, ::stride]}, then
     * {@code before} zero channels in front and {@code after} behind. It is exactly a 1x1 convolution with a
     * fixed 0/1 embedding matrix, which keeps it inside the op set (and costs next to nothing).
     */
    public Value subsampleAndPadChannels(String name, Value x, int stride, int before, int after) {
        int in = x.channels();
        int out = before + in + after;
        float[] embedding = new float[out * in];
        for (int c = 0; c < in; c++) {
            embedding[(before + c) * in + c] = 1;
        }
        String unique = uniqueName(name);
        String weightName = unique + ".embedding";
        weights.put(weightName, new WeightTensor(new int[] {out, 1, 1, in}, embedding));
        return addNamed(unique, new Op.Conv2d(out, 1, 1, stride, stride, 0, 0, 1, 1, 1, weightName, null), x);
    }

    /**
     * A head that only runs in training, such as GoogLeNet's {@code aux1}: PyTorch computes it
     * {@code if self.training}, so at inference it is dead weight. Its weights are still checked like all
     * others (a misnamed head is an error, not silently ignored) and reported as skipped; the graph gets
     * nothing. The head is built on its own input of {@code x}'s width and {@code trainingSize} pixels
     * square, the size it sees in training at the published input size: its weight shapes do not depend on
     * the input size, but whether it fits at all does (Inception v3's head needs 17x17), and inference at
     * other sizes must not fail because of a head it does not run. A source without the head is fine.
     */
    public void trainingOnly(String prefix, Value x, int trainingSize, BiFunction<NetworkBuilder, Value, Value> head) {
        if (!source.hasModule(prefix)) {
            return;
        }
        NetworkBuilder side = new NetworkBuilder(source);
        head.apply(side, side.input(new Shape(x.channels(), trainingSize, trainingSize)));
        skipped.add(String.format("%s (%,d values)", prefix, side.valuesTaken));
    }

    /** The finished graph and its weights, in runtime layout, without the nodes nothing reads. */
    public Built build(Value output) {
        Set<String> needed = new HashSet<>(List.of(output.name()));
        List<Node> live = new ArrayList<>();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node node = nodes.get(i);
            if (needed.contains(node.output())) {
                live.add(0, node);
                needed.addAll(node.inputs());
            }
        }
        Set<String> referenced = new HashSet<>();
        live.forEach(n -> referenced.addAll(n.op().weights()));
        Map<String, WeightTensor> used = new LinkedHashMap<>(weights);
        used.keySet().retainAll(referenced);
        return new Built(new Graph(input.name(), input.shape(), live, output.name()), used, List.copyOf(skipped));
    }

    /**
     * A built network: its graph, the weights it references, and the training-only heads whose weights
     * were checked and left out, each with its number of values.
     */
    public record Built(Graph graph, Map<String, WeightTensor> weights, List<String> skipped) {}

    private TorchTensor take(String key, int[] shape, boolean firstDimFree, WeightRole role) {
        TorchTensor t = source.take(key, shape, firstDimFree, role);
        valuesTaken += t.data().length;
        return t;
    }

    private Value add(String name, Op op, Value... xs) {
        return addNamed(uniqueName(name), op, xs);
    }

    private Value addNamed(String unique, Op op, Value... xs) {
        List<String> inputs = new ArrayList<>();
        List<Shape> inShapes = new ArrayList<>();
        for (Value x : xs) {
            inputs.add(x.name());
            inShapes.add(x.shape());
            readers.merge(x.name(), 1, Integer::sum);
        }
        Node node = new Node(unique, op, inputs, unique);
        Shape shape = shapeOf(node, inShapes);
        nodes.add(node);
        producer.put(unique, nodes.size() - 1);
        shapes.put(unique, shape);
        return new Value(unique, shape);
    }

    /** Weights come from the source in the shapes asked for, so what fails here is the input size. */
    private Shape shapeOf(Node node, List<Shape> inShapes) {
        try {
            return ShapeInference.outputShape(node, inShapes, name -> {
                WeightTensor w = weights.get(name);
                return w == null ? null : w.shape();
            });
        } catch (VecnnException e) {
            throw new InputSizeException(input.shape(), e.getMessage());
        }
    }

    /** PyTorch reuses one ReLU module at several places; graph nodes need distinct names. */
    private String uniqueName(String name) {
        int uses = nameUses.merge(name, 1, Integer::sum);
        return uses == 1 ? name : name + "#" + uses;
    }
}
