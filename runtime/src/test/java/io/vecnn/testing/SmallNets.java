package io.vecnn.testing;

import io.vecnn.Shape;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Small convolutional classifiers with seeded random weights, for tests of the API and the server: 3x3
 * convolutions (strides 1 and 2) with ReLU, global average pooling and a Linear head.
 */
public final class SmallNets {
    private SmallNets() {}

    /**
     * @param widths output channels of each convolution; odd layers have stride 2
     * @param provenance the model file's provenance (its "architecture" picks the preprocessing)
     */
    public static ModelFile classifier(
            Shape input, int[] widths, int classes, long seed, Map<String, String> provenance) {
        Random random = new Random(seed);
        List<Node> nodes = new ArrayList<>();
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        String in = "input";
        int c = input.channels();
        for (int i = 0; i < widths.length; i++) {
            String name = "conv" + i;
            w.put(
                    name + ".weight",
                    new WeightTensor(
                            new int[] {widths[i], 3, 3, c},
                            RandomTensors.gaussian(random, widths[i] * 9 * c, Math.sqrt(2.0 / (9 * c)))));
            w.put(name + ".bias", WeightTensor.vector(RandomTensors.gaussian(random, widths[i], 0.1)));
            nodes.add(new Node(
                    name,
                    new Op.Conv2d(
                            widths[i], 3, 3, i % 2 + 1, i % 2 + 1, 1, 1, 1, 1, 1, name + ".weight", name + ".bias"),
                    List.of(in),
                    name));
            nodes.add(new Node(name + ".relu", new Op.Relu(), List.of(name), name + ".relu"));
            in = name + ".relu";
            c = widths[i];
        }
        nodes.add(new Node("pool", new Op.AdaptiveAvgPool2d(1, 1), List.of(in), "pool"));
        nodes.add(new Node("flat", new Op.Flatten(), List.of("pool"), "flat"));
        w.put(
                "fc.weight",
                new WeightTensor(
                        new int[] {classes, c}, RandomTensors.gaussian(random, classes * c, Math.sqrt(1.0 / c))));
        w.put("fc.bias", WeightTensor.vector(RandomTensors.gaussian(random, classes, 0.1)));
        nodes.add(new Node("fc", new Op.Linear(classes, "fc.weight", "fc.bias"), List.of("flat"), "fc"));
        return new ModelFile(new Graph("input", input, nodes, "fc"), w, List.of(), provenance);
    }

    /** A 3x32x32 LeNet-sized classifier of 10 classes. */
    public static ModelFile tiny(long seed) {
        return classifier(new Shape(3, 32, 32), new int[] {8, 16}, 10, seed, Map.of("architecture", "lenet5"));
    }
}
