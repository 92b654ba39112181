package io.vecnn;

/**
 * A run's input or output does not fit the model: an array of the wrong length for its batch, a batch that is
 * not positive or too large for a Java array, a tensor of another shape, or a missing (null) array. The
 * message gives the sizes that were expected and the ones given.
 */
public class InputShapeException extends VecnnException {
    private static final long serialVersionUID = 1L;

    public InputShapeException(String message) {
        super(message);
    }
}
