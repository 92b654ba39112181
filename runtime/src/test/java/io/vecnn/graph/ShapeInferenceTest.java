package io.vecnn.graph;

import io.vecnn.Shape;
import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Errors of shape inference name the node and what is wrong (the sizes themselves are checked against PyTorch in the op conformance test). */
class ShapeInferenceTest {

    private static Graph single(Op op, Shape input) {
        return new Graph("x", input, List.of(new Node("layer", op, List.of("x"), "y")), "y");
    }

    /** The message with which shape inference refuses {@code op} alone on {@code input}. */
    private static String refusal(Op op, Shape input, Map<String, int[]> weightShapes) {
        return assertThrows(VecnnException.class, () -> ShapeInference.infer(single(op, input), weightShapes))
                .getMessage();
    }

    @Test
    void mapThatCollapsesToNothingNamesTheLayer() {
        Op conv = new Op.Conv2d(4, 5, 5, 1, 1, 0, 0, 1, 1, 1, "w", null);
        String message = refusal(conv, new Shape(3, 4, 4), Map.of("w", new int[] {4, 5, 5, 3}));
        assertTrue(message.startsWith("node 'layer': input size 4 is too small for kernel 5"), message);
    }

    @Test
    void wrongWeightShapeNamesWeightAndBothShapes() {
        Op conv = new Op.Conv2d(4, 3, 3, 1, 1, 1, 1, 1, 1, 1, "w", null);
        String message = refusal(conv, new Shape(3, 8, 8), Map.of("w", new int[] {4, 3, 3, 2}));
        assertTrue(message.contains("weight 'w' has shape [4, 3, 3, 2], expected [4, 3, 3, 3]"), message);
    }

    @Test
    void groupsMustDivideChannels() {
        Op conv = new Op.Conv2d(4, 1, 1, 1, 1, 0, 0, 1, 1, 3, "w", null);
        refusal(conv, new Shape(4, 2, 2), Map.of("w", new int[] {4, 1, 1, 1}));
    }

    @Test
    void linearNeedsFlattenedInput() {
        Op linear = new Op.Linear(2, "w", null);
        String message = refusal(linear, new Shape(3, 2, 2), Map.of("w", new int[] {2, 12}));
        assertTrue(message.contains("flattened"), message);
    }

    @Test
    void poolPaddingAboveHalfTheKernelIsRefusedLikePyTorch() {
        Op pool = new Op.MaxPool2d(2, 2, 2, 2, 2, 2, false);
        refusal(pool, new Shape(1, 8, 8), Map.of());
    }

    @Test
    void graphRejectsUndefinedInputsAndDuplicateValues() {
        assertThrows(
                VecnnException.class,
                () -> new Graph(
                        "x", new Shape(1, 1, 1), List.of(new Node("a", new Op.Relu(), List.of("missing"), "y")), "y"));
        assertThrows(
                VecnnException.class,
                () -> new Graph(
                        "x",
                        new Shape(1, 1, 1),
                        List.of(
                                new Node("a", new Op.Relu(), List.of("x"), "y"),
                                new Node("b", new Op.Relu(), List.of("x"), "y")),
                        "y"));
        assertThrows(VecnnException.class, () -> new Graph("x", new Shape(1, 1, 1), List.of(), "nothing"));
    }
}
