package io.vecnn.graph;

import io.vecnn.VecnnException;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks a graph passes before anything runs it: its structure (unique node names, every value
 * defined once and before it is read, no cycles, the output defined) and each op's parameters on their own
 * (positive kernels and strides, non-negative padding, at most half the window for pools, groups dividing
 * the output channels). A convolution's padding may exceed its kernel, as in PyTorch: the border outputs then
 * see only padding and bias, which the kernels compute like any other.
 * Checks that need the input's shape (groups dividing the input channels, a window larger than the padded
 * input) are {@link ShapeInference}'s. A model file from disk passes both before its weights are read.
 */
public final class GraphValidation {
    private GraphValidation() {}

    /** Structure only: what {@link Graph} guarantees for every instance. */
    static void checkStructure(String input, List<Node> nodes, String output) {
        Map<String, Integer> definer = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (!names.add(node.name())) {
                throw new VecnnException("graph has two nodes named '" + node.name() + "'");
            }
            if (node.output().equals(input) || definer.putIfAbsent(node.output(), i) != null) {
                throw new VecnnException("value '" + node.output() + "' is defined twice (node '" + node.name() + "')");
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            for (String in : node.inputs()) {
                Integer from = in.equals(input) ? Integer.valueOf(-1) : definer.get(in);
                if (from == null) {
                    throw new VecnnException("node '" + node.name() + "' reads '" + in + "', which no node defines");
                }
                if (from >= i) {
                    throw orderError(nodes, definer, input, i, in, from);
                }
            }
        }
        if (!output.equals(input) && !definer.containsKey(output)) {
            throw new VecnnException("graph output '" + output + "' is not defined by any node");
        }
    }

    /** A value read before its node: a cycle when that node depends on the reader, else nodes out of order. */
    private static VecnnException orderError(
            List<Node> nodes, Map<String, Integer> definer, String input, int reader, String value, int from) {
        Node node = nodes.get(reader);
        // Iterative walk over what the defining node depends on: a chain of a million nodes must not overflow the
        // stack.
        Deque<Integer> pending = new ArrayDeque<>();
        Set<Integer> seen = new HashSet<>();
        pending.push(from);
        while (!pending.isEmpty()) {
            int at = pending.pop();
            if (at == reader) {
                return new VecnnException("graph has a cycle: node '" + node.name() + "' reads '" + value
                        + "' of node '" + nodes.get(from).name() + "', which depends on '" + node.name() + "'");
            }
            if (!seen.add(at)) {
                continue;
            }
            for (String in : nodes.get(at).inputs()) {
                Integer d = in.equals(input) ? null : definer.get(in);
                if (d != null) {
                    pending.push(d);
                }
            }
        }
        return new VecnnException("node '" + node.name() + "' reads '" + value + "' before node '"
                + nodes.get(from).name() + "' defines it; nodes must be listed in execution order");
    }

    /** Every node's op parameters, each on its own. */
    public static void checkOps(Graph graph) {
        for (Node node : graph.nodes()) {
            checkOp(node);
        }
    }

    /** One op's parameters, without the shapes of its inputs. */
    public static void checkOp(Node node) {
        Op op = node.op();
        if (op instanceof Op.Conv2d c) {
            positive(node, "output channels", c.outChannels());
            positive(node, "kernel", c.kernelH(), c.kernelW());
            positive(node, "stride", c.strideH(), c.strideW());
            positive(node, "dilation", c.dilationH(), c.dilationW());
            if (c.padH() < 0 || c.padW() < 0) {
                throw fail(node, "padding must not be negative, got " + c.padH() + "x" + c.padW());
            }
            if (c.groups() <= 0 || c.outChannels() % c.groups() != 0) {
                throw fail(
                        node,
                        "groups " + c.groups() + " must be positive and divide the output channels " + c.outChannels());
            }
        } else if (op instanceof Op.Pool2d p) {
            pool(node, p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW());
        } else if (op instanceof Op.AdaptiveAvgPool2d p) {
            positive(node, "output size", p.outH(), p.outW());
        } else if (op instanceof Op.Linear l) {
            positive(node, "output features", l.outFeatures());
        } else if (op instanceof Op.ChannelShuffle g) {
            positive(node, "groups", g.groups());
        } else if (op instanceof Op.ChannelSlice s) {
            if (s.start() < 0 || s.end() <= s.start()) {
                throw fail(
                        node,
                        "channel slice " + s.start() + ".." + s.end()
                                + " must start at 0 or later and end after its start");
            }
        } else if (op instanceof Op.LayerNorm l) {
            if (!(l.eps() > 0) || Double.isInfinite(l.eps())) {
                throw fail(node, "layer norm eps must be positive and finite, got " + l.eps());
            }
        }
        int arity = op instanceof Op.Concat || op instanceof Op.Add ? -1 : op instanceof Op.ScaleChannels ? 2 : 1;
        if (arity < 0 ? node.inputs().size() < 2 : node.inputs().size() != arity) {
            throw fail(
                    node,
                    op.kind() + " takes " + (arity < 0 ? "at least 2" : String.valueOf(arity)) + " input"
                            + (arity == 1 ? "" : "s") + ", got " + node.inputs().size());
        }
    }

    private static void pool(Node node, int kh, int kw, int sh, int sw, int ph, int pw) {
        positive(node, "kernel", kh, kw);
        positive(node, "stride", sh, sw);
        if (ph < 0 || pw < 0 || 2L * ph > kh || 2L * pw > kw) {
            throw fail(
                    node,
                    "padding " + ph + "x" + pw + " must be between 0 and half the kernel " + kh + "x" + kw
                            + " (PyTorch's rule)");
        }
    }

    private static void positive(Node node, String what, int... values) {
        for (int v : values) {
            if (v <= 0) {
                StringBuilder got = new StringBuilder();
                for (int x : values) {
                    got.append(got.length() == 0 ? "" : "x").append(x);
                }
                throw fail(node, what + " must be positive, got " + got);
            }
        }
    }

    private static VecnnException fail(Node node, String message) {
        return new VecnnException("node '" + node.name() + "': " + message);
    }
}
