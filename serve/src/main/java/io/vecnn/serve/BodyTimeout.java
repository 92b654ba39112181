package io.vecnn.serve;

import java.io.IOException;

/**
 * A request body that did not arrive within the read timeout. The watchdog has already answered 408 and the
 * connection is closed; the handler only finishes the exchange.
 */
final class BodyTimeout extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTimeout(String message) {
        super(message);
    }
}
