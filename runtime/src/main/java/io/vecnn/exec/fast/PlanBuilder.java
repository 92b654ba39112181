package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.graph.Graph;
import io.vecnn.graph.GraphStats;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.ShapeInference;
import io.vecnn.graph.WeightTensor;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.ConvOutput;
import io.vecnn.kernels.Pool2dNhwc;
import io.vecnn.kernels.PoolWindows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;

/**
 * Turns a graph into a {@link Plan} for one input size: picks the kernel of each node, packs its weights,
 * and fuses what follows a convolution or Linear into its epilogue — a ReLU, and the residual add of a
 * ResNet block (fused into whichever of the two added convolutions runs last, so the other is ready),
 * with the ReLU after it; after a convolution, also an activation such as MobileNet's ReLU6. A flatten of an NHWC
 * map moves no data, so it only renames a buffer. Concats take their convolution inputs in place; a DenseNet
 * block's concats, each the one before plus a layer, share the block's final buffer, which every layer's output is
 * written into once, instead of copying all earlier outputs again for every layer.
 */
public final class PlanBuilder {
    private final Graph graph;
    private final Map<String, WeightTensor> weights;
    private final Map<String, Shape> shapes;
    private final Map<String, List<Integer>> readers = new HashMap<>();
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, Integer> buffer = new HashMap<>();
    private final List<Long> bufferSizes = new ArrayList<>();
    private final Set<Integer> fused = new HashSet<>();
    private final List<Step> steps = new ArrayList<>();
    /** Values a convolution writes straight into a concat's output: value → (concat output, channel offset). */
    private final Map<String, String> concatOf = new HashMap<>();

    private final Map<String, Integer> concatOffset = new HashMap<>();
    /**
     * Concats whose inputs are the first inputs of a wider concat (a DenseNet block's growing inputs): value → the
     * widest such concat, whose buffer holds them as its first channels. They are never materialised.
     */
    private final Map<String, String> prefixOf = new HashMap<>();
    /** Concat inputs already copied into their host's buffer, as "host/value". */
    private final Set<String> copied = new HashSet<>();

    private final KernelSelection selection;
    private final ForkJoinPool pool;
    private final boolean reuseWeights;

    private PlanBuilder(
            Graph graph,
            Map<String, WeightTensor> weights,
            Shape input,
            KernelSelection selection,
            ForkJoinPool pool,
            boolean reuseWeights) {
        this.graph = graph;
        this.reuseWeights = reuseWeights;
        this.selection = selection;
        this.pool = pool;
        this.weights = weights;
        this.shapes = ShapeInference.infer(
                graph,
                input,
                name -> weights.containsKey(name) ? weights.get(name).shape() : null);
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            producer.put(nodes.get(i).output(), i);
            for (String in : nodes.get(i).inputs()) {
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
        }
    }

    /**
     * @param selection how to choose between applicable algorithms
     * @param pool      where candidate kernels are timed under {@link KernelSelection#MEASURE}
     */
    public static Plan build(
            Graph graph, Map<String, WeightTensor> weights, Shape input, KernelSelection selection, ForkJoinPool pool) {
        return build(graph, weights, input, selection, pool, false);
    }

    /**
     * As {@link #build(Graph, Map, Shape, KernelSelection, ForkJoinPool)}; with {@code reuseWeights} the plan
     * takes the weight arrays over and may pack a Linear weight in place, overwriting it: for a caller that
     * holds the only reference to them and drops them after the build.
     */
    public static Plan build(
            Graph graph,
            Map<String, WeightTensor> weights,
            Shape input,
            KernelSelection selection,
            ForkJoinPool pool,
            boolean reuseWeights) {
        long macs = GraphStats.of(graph, weights, input).macs();
        PlanBuilder b = new PlanBuilder(graph, weights, input, selection, pool, reuseWeights);
        int in = b.bufferOf(graph.input());
        b.findPrefixConcats();
        b.findInPlaceConcatInputs();
        List<Node> nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            if (!b.fused.contains(i)) {
                b.plan(i, nodes.get(i));
            }
        }
        long[] sizes = b.bufferSizes.stream().mapToLong(Long::longValue).toArray();
        int out = b.bufferOf(graph.output());
        Shape outShape = b.shapes.get(graph.output());
        List<Step> steps =
                NetworkTuning.decide(b.steps, sizes, in, out, input, outShape, macs, pool, TuningCache.current());
        return new Plan(steps, sizes, in, out, input, outShape, macs);
    }

    private void plan(int i, Node node) {
        Op op = node.op();
        if (op instanceof Op.Conv2d c) {
            String last = node.output();
            int residual = -1;
            Node add = soleReader(last, Op.Add.class);
            if (add != null && add.inputs().size() == 2) {
                String other = add.inputs().get(0).equals(last)
                        ? add.inputs().get(1)
                        : add.inputs().get(0);
                Integer otherProducer = producer.get(other);
                if (!other.equals(last) && (otherProducer == null || otherProducer < i)) {
                    residual = bufferOf(other);
                    fused.add(producer.get(add.output()));
                    last = add.output();
                }
            }
            boolean relu = false;
            Node reluNode = soleReader(last, Op.Relu.class);
            if (reluNode != null) {
                relu = true;
                fused.add(producer.get(reluNode.output()));
                last = reluNode.output();
            }
            Node activationNode = soleReader(last, Op.Activation.class);
            if (activationNode != null) {
                fused.add(producer.get(activationNode.output()));
                last = activationNode.output();
            }
            ConvKernel kernel = ConvAlgorithms.choose(
                    c,
                    weights.get(c.weight()).data(),
                    c.bias() == null ? null : weights.get(c.bias()).data(),
                    shapes.get(node.inputs().get(0)),
                    shapes.get(node.output()),
                    selection,
                    pool);
            String concat = concatOf.get(last);
            ConvOutput to = (concat == null
                            ? ConvOutput.whole(c.outChannels(), relu)
                            : new ConvOutput(
                                    concatOffset.get(last), shapes.get(concat).channels(), relu))
                    .withActivation(activationNode == null ? null : ((Op.Activation) activationNode.op()).function());
            steps.add(new ConvStep(
                    node.name(),
                    c,
                    kernel,
                    bufferOf(node.inputs().get(0)),
                    bufferOf(concat == null ? last : concat),
                    to,
                    residual));
        } else if (op instanceof Op.Linear l) {
            String last = node.output();
            Node reluNode = soleReader(last, Op.Relu.class);
            if (reluNode != null) {
                fused.add(producer.get(reluNode.output()));
                last = reluNode.output();
            }
            int in = shapes.get(node.inputs().get(0)).channels();
            steps.add(LinearStep.of(
                    node.name(),
                    l,
                    weights.get(l.weight()).data(),
                    l.bias() == null ? null : weights.get(l.bias()).data(),
                    in,
                    reluNode != null,
                    reuseWeights && !sharedWeight(l.weight()),
                    bufferOf(node.inputs().get(0)),
                    bufferOf(last)));
        } else if (op instanceof Op.MaxPool2d || op instanceof Op.AvgPool2d || op instanceof Op.AdaptiveAvgPool2d) {
            Shape in = shapes.get(node.inputs().get(0));
            Shape out = shapes.get(node.output());
            steps.add(new PoolStep(
                    node.name(),
                    op.kind(),
                    new Pool2dNhwc(
                            windows(op, in.height(), out.height(), true),
                            windows(op, in.width(), out.width(), false),
                            op instanceof Op.MaxPool2d,
                            in,
                            out),
                    bufferOf(node.inputs().get(0)),
                    bufferOf(node.output())));
        } else if (op instanceof Op.Concat) {
            String host = hostOf(node.output());
            if (!host.equals(node.output())) {
                buffer.put(node.output(), bufferOf(host));
            }
            List<Integer> ins = new ArrayList<>();
            List<Integer> channels = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            int offset = 0;
            for (String in : node.inputs()) {
                int c = shapes.get(in).channels();
                boolean inPlace = host.equals(concatOf.get(in)) || host.equals(prefixOf.get(in));
                if (!inPlace && copied.add(host + "/" + in)) {
                    ins.add(bufferOf(in));
                    channels.add(c);
                    offsets.add(offset);
                }
                offset += c;
            }
            Shape out = shapes.get(host);
            if (host.equals(node.output()) || !ins.isEmpty()) {
                steps.add(new ConcatStep(
                        node.name(),
                        ins.stream().mapToInt(Integer::intValue).toArray(),
                        channels.stream().mapToInt(Integer::intValue).toArray(),
                        offsets.stream().mapToInt(Integer::intValue).toArray(),
                        out.channels(),
                        out.height() * out.width(),
                        bufferOf(host)));
            }
        } else if (op instanceof Op.ChannelAffine a
                && prefixOf.containsKey(node.inputs().get(0))) {
            String last = node.output();
            Node reluNode = soleReader(last, Op.Relu.class);
            if (reluNode != null) {
                fused.add(producer.get(reluNode.output()));
                last = reluNode.output();
            }
            String in = node.inputs().get(0);
            steps.add(new PrefixAffineStep(
                    node.name(),
                    a,
                    weights.get(a.scale()).data().clone(),
                    weights.get(a.shift()).data().clone(),
                    reluNode != null,
                    bufferOf(in),
                    shapes.get(prefixOf.get(in)).channels(),
                    shapes.get(node.output()),
                    bufferOf(last)));
        } else if (op instanceof Op.ChannelAffine
                || op instanceof Op.Relu
                || op instanceof Op.Activation
                || (op instanceof Op.Add && node.inputs().size() == 2)) {
            float[] scale =
                    op instanceof Op.ChannelAffine a ? weights.get(a.scale()).data() : null;
            float[] shift =
                    op instanceof Op.ChannelAffine a ? weights.get(a.shift()).data() : null;
            steps.add(PointwiseStep.of(
                    node.name(),
                    op,
                    scale,
                    shift,
                    node.inputs().stream().mapToInt(this::bufferOf).toArray(),
                    shapes.get(node.output()),
                    bufferOf(node.output())));
        } else if (op instanceof Op.ScaleChannels) {
            steps.add(new ScaleChannelsStep(
                    node.name(),
                    bufferOf(node.inputs().get(0)),
                    bufferOf(node.inputs().get(1)),
                    shapes.get(node.output()),
                    bufferOf(node.output())));
        } else if (op instanceof Op.LayerNorm || op instanceof Op.ChannelShuffle || op instanceof Op.ChannelSlice) {
            float[] weight =
                    op instanceof Op.LayerNorm l ? weights.get(l.weight()).data() : null;
            float[] bias = op instanceof Op.LayerNorm l ? weights.get(l.bias()).data() : null;
            steps.add(new ChannelsStep(
                    node.name(),
                    op,
                    shapes.get(node.inputs().get(0)),
                    weight,
                    bias,
                    bufferOf(node.inputs().get(0)),
                    bufferOf(node.output())));
        } else if (op instanceof Op.Flatten) {
            buffer.put(node.output(), bufferOf(node.inputs().get(0)));
        } else {
            int[] ins = node.inputs().stream().mapToInt(this::bufferOf).toArray();
            Shape[] inShapes = node.inputs().stream().map(shapes::get).toArray(Shape[]::new);
            steps.add(ReferenceStep.of(node, weights, ins, inShapes, bufferOf(node.output())));
        }
    }

    /**
     * Finds the concats that are the first channels of a wider concat: those whose inputs begin another concat's
     * (a flat DenseNet block, each layer concatenating all before it) and those that are another concat's first
     * input (a block that concatenates one layer at a time), when everything else that reads them is a channel
     * affine (the BatchNorm that opens a DenseNet layer), which can read a prefix of the wider buffer in place.
     * Each maps to the outermost concat of its chain, whose buffer holds them all.
     */
    private void findPrefixConcats() {
        List<Node> concats =
                graph.nodes().stream().filter(n -> n.op() instanceof Op.Concat).toList();
        Map<String, String> parent = new HashMap<>();
        for (Node c : concats) {
            Node widest = null;
            for (Node f : concats) {
                int n = c.inputs().size();
                boolean nested = f.inputs().get(0).equals(c.output());
                boolean flat = f.inputs().size() > n && f.inputs().subList(0, n).equals(c.inputs());
                if (f != c
                        && (nested || flat)
                        && (widest == null
                                || f.inputs().size() > widest.inputs().size())) {
                    widest = f;
                }
            }
            boolean readsInPlace = readers.getOrDefault(c.output(), List.of()).stream()
                    .map(r -> graph.nodes().get(r))
                    .allMatch(r ->
                            r.op() instanceof Op.ChannelAffine && r.inputs().size() == 1
                                    || r.op() instanceof Op.Concat
                                            && r.inputs().get(0).equals(c.output())
                                            && r.inputs().indexOf(c.output())
                                                    == r.inputs().lastIndexOf(c.output()));
            if (widest != null && readsInPlace && !c.output().equals(graph.output())) {
                parent.put(c.output(), widest.output());
            }
        }
        for (String view : parent.keySet()) {
            String host = view;
            while (parent.containsKey(host)) {
                host = parent.get(host);
            }
            prefixOf.put(view, host);
        }
    }

    /** The concat whose buffer holds this concat's channels: itself, or the wider concat it is a prefix of. */
    private String hostOf(String concat) {
        return prefixOf.getOrDefault(concat, concat);
    }

    /**
     * A concat input that only concats sharing one buffer read (the concat and its prefixes or wider
     * versions), made by a convolution (possibly through a ReLU the convolution absorbs), is written by that
     * convolution straight into its slice of the buffer: no copy.
     */
    private void findInPlaceConcatInputs() {
        for (Node node : graph.nodes()) {
            if (!(node.op() instanceof Op.Concat)) {
                continue;
            }
            String host = hostOf(node.output());
            int offset = 0;
            for (String in : node.inputs()) {
                boolean onlyThisBuffer = readers.get(in).stream()
                        .map(r -> graph.nodes().get(r))
                        .allMatch(r -> r.op() instanceof Op.Concat
                                && hostOf(r.output()).equals(host));
                if (onlyThisBuffer
                        && !in.equals(graph.input())
                        && !prefixOf.containsKey(in)
                        && madeByConvolution(in)
                        && node.inputs().indexOf(in) == node.inputs().lastIndexOf(in)) {
                    concatOf.put(in, host);
                    concatOffset.put(in, offset);
                }
                offset += shapes.get(in).channels();
            }
        }
    }

    private boolean madeByConvolution(String value) {
        Node made = graph.nodes().get(producer.get(value));
        if (made.op() instanceof Op.Conv2d) {
            return true;
        }
        return (made.op() instanceof Op.Relu || made.op() instanceof Op.Activation)
                && producer.containsKey(made.inputs().get(0))
                && graph.nodes().get(producer.get(made.inputs().get(0))).op() instanceof Op.Conv2d
                && readers.get(made.inputs().get(0)).size() == 1;
    }

    private static PoolWindows windows(Op op, int in, int out, boolean rows) {
        if (op instanceof Op.MaxPool2d p) {
            return rows
                    ? PoolWindows.of(in, out, p.kernelH(), p.strideH(), p.padH(), true)
                    : PoolWindows.of(in, out, p.kernelW(), p.strideW(), p.padW(), true);
        }
        if (op instanceof Op.AvgPool2d p) {
            return rows
                    ? PoolWindows.of(in, out, p.kernelH(), p.strideH(), p.padH(), p.countIncludePad())
                    : PoolWindows.of(in, out, p.kernelW(), p.strideW(), p.padW(), p.countIncludePad());
        }
        return PoolWindows.adaptive(in, out);
    }

    /** Whether more than one node names this weight: packing it in place for one would corrupt the other's. */
    private boolean sharedWeight(String name) {
        return graph.nodes().stream()
                        .filter(n -> n.op().weights().contains(name))
                        .count()
                > 1;
    }

    /** The node that is the only reader of {@code value}, if it has the given op type. */
    private Node soleReader(String value, Class<? extends Op> type) {
        List<Integer> r = readers.getOrDefault(value, List.of());
        if (r.size() != 1 || value.equals(graph.output())) {
            return null;
        }
        Node reader = graph.nodes().get(r.get(0));
        return type.isInstance(reader.op()) ? reader : null;
    }

    private int bufferOf(String value) {
        Integer b = buffer.get(value);
        if (b == null) {
            b = bufferSizes.size();
            bufferSizes.add(shapes.get(value).size());
            buffer.put(value, b);
        }
        return b;
    }
}
