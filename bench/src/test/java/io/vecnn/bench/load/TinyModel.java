package io.vecnn.bench.load;

import io.vecnn.Shape;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A 3x16x16 classifier of 10 classes (one strided 3x3 convolution, ReLU, global pooling, Linear) with seeded
 * weights: fast enough that a load test of a second measures the server, not the model. The runtime's own
 * test nets are not visible from bench.
 */
public final class TinyModel {
    private TinyModel() {}

    /** Writes the model to {@code file} and returns it. */
    public static Path write(Path file) {
        Random random = new Random(7);
        int width = 8;
        int classes = 10;
        List<Node> nodes = List.of(
                new Node(
                        "conv",
                        new Op.Conv2d(width, 3, 3, 2, 2, 1, 1, 1, 1, 1, "conv.weight", "conv.bias"),
                        List.of("input"),
                        "conv"),
                new Node("relu", new Op.Relu(), List.of("conv"), "relu"),
                new Node("pool", new Op.AdaptiveAvgPool2d(1, 1), List.of("relu"), "pool"),
                new Node("flat", new Op.Flatten(), List.of("pool"), "flat"),
                new Node("fc", new Op.Linear(classes, "fc.weight", "fc.bias"), List.of("flat"), "fc"));
        Map<String, WeightTensor> weights = Map.of(
                "conv.weight",
                new WeightTensor(new int[] {width, 3, 3, 3}, values(random, width * 27)),
                "conv.bias",
                WeightTensor.vector(values(random, width)),
                "fc.weight",
                new WeightTensor(new int[] {classes, width}, values(random, classes * width)),
                "fc.bias",
                WeightTensor.vector(values(random, classes)));
        new ModelFile(
                        new Graph("input", new Shape(3, 16, 16), nodes, "fc"),
                        weights,
                        List.of(),
                        Map.of("architecture", "tiny"))
                .write(file);
        return file;
    }

    private static float[] values(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * 0.3);
        }
        return v;
    }
}
