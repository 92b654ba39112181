package io.vecnn.converter.onnx;

import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the exporter refuses, and that it says which node and why. */
class OnnxExportErrorsTest {

    @Test
    void adaptivePoolWithUnequalBinsNamesTheNode() {
        Graph graph = new Graph(
                "input",
                new Shape(3, 5, 5),
                List.of(new Node("head.pool", new Op.AdaptiveAvgPool2d(3, 3), List.of("input"), "pooled")),
                "pooled");

        VecnnException e = assertThrows(VecnnException.class, () -> OnnxExport.toBytes(graph, Map.of()));

        assertTrue(e.getMessage().contains("node 'head.pool'"), e.getMessage());
        assertTrue(e.getMessage().contains("from 5x5 to 3x3"), e.getMessage());
    }

    @Test
    void missingWeightNamesTheNode() {
        Graph graph = new Graph(
                "input",
                new Shape(3, 4, 4),
                List.of(new Node(
                        "conv1",
                        new Op.Conv2d(8, 3, 3, 1, 1, 1, 1, 1, 1, 1, "conv1.weight", null),
                        List.of("input"),
                        "conv1")),
                "conv1");

        VecnnException e = assertThrows(VecnnException.class, () -> OnnxExport.toBytes(graph, Map.of()));

        assertTrue(e.getMessage().contains("node 'conv1'") && e.getMessage().contains("missing"), e.getMessage());
    }
}
