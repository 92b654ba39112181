package io.vecnn;

/**
 * The one exception family VecNN throws for anything wrong with a file, a model or a request.
 *
 * <p>The message always names what is wrong (the file, the key, the shape or the byte offset),
 * so a command-line tool can print it as is and a server can return it to the caller.
 */
public class VecnnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VecnnException(String message) {
        super(message);
    }

    public VecnnException(String message, Throwable cause) {
        super(message, cause);
    }
}
