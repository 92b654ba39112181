package io.vecnn.serve;

/**
 * A request the server answers with an error status and the protocol's {@code {"error": "..."}} body. The
 * message says what was expected, so a client can fix its request.
 */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final Integer retryAfterSeconds;

    HttpError(int status, String message) {
        this(status, message, null);
    }

    HttpError(int status, String message, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
