package io.vecnn;

/**
 * A run that passed its deadline. It was abandoned between two layers, its workspace went back to the
 * pool, and the model is ready for the next call.
 */
public class VecnnTimeoutException extends VecnnException {
    private static final long serialVersionUID = 1L;

    public VecnnTimeoutException(String message) {
        super(message);
    }
}
