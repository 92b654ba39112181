package io.vecnn;

/**
 * A {@link Workspace} entered by a second thread while a first was running in it. The second call is refused
 * before it touches the workspace, so the first run's result is unaffected.
 */
public class WorkspaceInUseException extends VecnnException {
    private static final long serialVersionUID = 1L;

    public WorkspaceInUseException(String message) {
        super(message);
    }
}
