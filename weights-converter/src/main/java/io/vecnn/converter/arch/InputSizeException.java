package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.VecnnException;

/**
 * The input size does not fit the network being built: a layer's output would be empty, or branches
 * that must agree in size do not. The message names the layer.
 */
public final class InputSizeException extends VecnnException {
    private static final long serialVersionUID = 1L;
    private final String layerProblem;

    public InputSizeException(Shape input, String layerProblem) {
        super("input size " + input + " does not fit: " + layerProblem);
        this.layerProblem = layerProblem;
    }

    /** What went wrong at which layer, e.g. {@code node 'features.30': input size 1 is too small for ...}. */
    public String layerProblem() {
        return layerProblem;
    }
}
