package io.vecnn.modelfile;

import io.vecnn.Shape;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model larger than the heap is refused with the sizes and the flag to raise, in a JVM started with
 * {@code -Xmx64m}: before the weights are read when the heap plainly cannot hold them, and as the same
 * message (not an OutOfMemoryError) when the read itself runs out.
 */
class HeapLimitTest {
    private static final int IN = 1000;
    private static final int OUT = 20_000;

    @TempDir
    static Path dir;

    private static Path model;

    /** One Linear layer of 20000x1000 floats plus its bias: 80 MB of weights. */
    @BeforeAll
    static void writeLargeModel() {
        Map<String, WeightTensor> weights = new LinkedHashMap<>();
        weights.put("fc.weight", new WeightTensor(new int[] {OUT, IN}, new float[OUT * IN]));
        weights.put("fc.bias", WeightTensor.vector(new float[OUT]));
        Graph graph = new Graph(
                "input",
                new Shape(IN, 1, 1),
                List.of(new Node("fc", new Op.Linear(OUT, "fc.weight", "fc.bias"), List.of("input"), "fc")),
                "fc");
        model = dir.resolve("large.vnn");
        new ModelFile(graph, weights, List.of(), Map.of()).write(model);
    }

    private static long neededMegabytes() {
        return (long) Math.ceil(4.0 * ((long) OUT * IN + OUT) / (1024 * 1024));
    }

    @Test
    void modelLargerThanTheHeapIsRefusedBeforeReadingWithTheSizes() throws Exception {
        ChildJvm.Result r = ChildJvm.run("64m", ModelReadProbe.class, model.toString());
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(
                r.output().contains("model needs " + neededMegabytes() + " MB of heap for its weights, the JVM has "),
                r.output());
        assertTrue(r.output().contains(" MB); raise -Xmx"), r.output());
        assertFalse(r.output().contains("OutOfMemoryError"), r.output());
    }

    @Test
    void runningOutOfHeapDuringTheReadGivesTheSameMessage() throws Exception {
        ChildJvm.Result r = ChildJvm.run("64m", ModelReadProbe.class, model.toString(), "--claim-free-mb", "1024");
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(
                r.output()
                        .contains(
                                "model needs " + neededMegabytes()
                                        + " MB of heap for its weights, the JVM had 1024 MB left but ran out while reading them (max heap "),
                r.output());
        assertFalse(r.output().contains("OutOfMemoryError"), r.output());
    }

    @Test
    void modelThatFitsIsRead() throws Exception {
        ChildJvm.Result r = ChildJvm.run("256m", ModelReadProbe.class, model.toString());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(
                r.output().startsWith("read 2 weights, " + (4L * ((long) OUT * IN + OUT) >> 20) + " MB of values"),
                r.output());
    }
}
