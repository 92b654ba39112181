package io.vecnn;

/** A model used after {@link Model#close()}: its pool and prepared plans are gone. */
public class ModelClosedException extends VecnnException {
    private static final long serialVersionUID = 1L;

    public ModelClosedException(String message) {
        super(message);
    }
}
