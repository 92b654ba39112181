package io.vecnn;

/** A {@link Workspace} handed to a model other than the one that made it: its buffers fit another plan. */
public class WorkspaceMismatchException extends VecnnException {
    private static final long serialVersionUID = 1L;

    public WorkspaceMismatchException(String message) {
        super(message);
    }
}
