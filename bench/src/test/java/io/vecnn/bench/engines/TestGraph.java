package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

/**
 * A small graph built node by node, with seeded normal weights in VecNN's layouts: what the peer engines' op
 * tests run on both sides. Each node's output is named after the node; the input is {@code "input"}.
 */
final class TestGraph {
    final Shape input;
    private final double weightScale;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, WeightTensor> weights = new LinkedHashMap<>();
    private final SplittableRandom random = new SplittableRandom(11);

    /** Weights of standard deviation {@code weightScale}. */
    TestGraph(Shape input, double weightScale) {
        this.input = input;
        this.weightScale = weightScale;
    }

    String add(String name, Op op, String... inputs) {
        nodes.add(new Node(name, op, List.of(inputs), name));
        return name;
    }

    String weight(String name, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        weights.put(name, new WeightTensor(shape, RandomTensors.gaussian(random, n, weightScale)));
        return name;
    }

    /** A square convolution; its weight is OHWI, {@code out x kernel x kernel x in/groups}. */
    String conv(
            String name,
            String x,
            int in,
            int out,
            int kernel,
            int stride,
            int pad,
            int dilation,
            int groups,
            boolean bias) {
        return add(
                name,
                new Op.Conv2d(
                        out,
                        kernel,
                        kernel,
                        stride,
                        stride,
                        pad,
                        pad,
                        dilation,
                        dilation,
                        groups,
                        weight(name + ".w", out, kernel, kernel, in / groups),
                        bias ? weight(name + ".b", out) : null),
                x);
    }

    String linear(String name, String x, int in, int out, boolean bias) {
        return add(name, new Op.Linear(out, weight(name + ".w", out, in), bias ? weight(name + ".b", out) : null), x);
    }

    String affine(String name, String x, int channels) {
        return add(name, new Op.ChannelAffine(weight(name + ".s", channels), weight(name + ".t", channels)), x);
    }

    /** The graph ending in {@code output}, as a model run on {@code pool}. */
    Model model(String output, ForkJoinPool pool) {
        return Model.of(new ModelFile(new Graph("input", input, nodes, output), weights, List.of(), Map.of()), pool);
    }
}
