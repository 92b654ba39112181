package io.vecnn.serve;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Reading bounded request bodies and writing JSON and error responses on the JDK's HTTP exchange. */
final class ExchangeIo {
    /**
     * Reads NaN and ±Infinity as bare tokens too (Python's json module writes them so); written, they are the
     * strings "NaN", "Infinity" and "-Infinity", which inference inputs take as well.
     */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    /** How long a refused body is still read and dropped before the connection closes (Apache's 2 s). */
    private static final Duration LINGER = Duration.ofSeconds(2);

    private ExchangeIo() {}

    /**
     * Names the route a request matched, as the metrics count it: the route, not the URL (which names models).
     * Set by the route as soon as it recognises the path, so a request it then refuses counts there too.
     */
    static void nameEndpoint(HttpExchange exchange, String endpoint) {
        ExchangeState.of(exchange).endpoint(endpoint);
    }

    /** The route {@link #nameEndpoint} recorded, or "unknown" for a path no route matched. */
    static String endpoint(HttpExchange exchange) {
        return ExchangeState.of(exchange).endpoint();
    }

    /**
     * The whole body, refused with 413 before reading when its declared length is over {@code limit}, and
     * while reading when a body without a length (chunked) grows past it. A body that has not fully arrived
     * within the read timeout is answered 408 and its connection closed ({@link BodyTimeout}).
     */
    /**
     * Whether the JDK's chunked-body reader refused what the client sent, rather than the connection failing:
     * its messages "invalid chunk length" and "invalid chunk header" are the only way it says so.
     */
    private static boolean malformedChunks(IOException e) {
        return e.getClass() == IOException.class
                && e.getMessage() != null
                && e.getMessage().startsWith("invalid chunk");
    }

    static byte[] body(HttpExchange exchange, long limit) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        long length = -1;
        if (declared != null) {
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "Content-Length '" + declared + "' is not a number");
            }
            if (length > limit) {
                throw refuse(
                        exchange,
                        new HttpError(
                                413,
                                "request body of " + length + " bytes is over the server's limit of " + limit
                                        + " bytes"));
            }
        }
        ExchangeState state = ExchangeState.of(exchange);
        Duration timeout = state.readTimeout();
        ReadWatchdog.Watch watch = state.watchdog().watch(timeout, () -> answerTimeout(exchange, timeout));
        byte[] body;
        try {
            body = read(exchange, limit, length);
        } catch (IOException | HttpError e) {
            if (watch.end()) {
                throw timedOut(timeout);
            }
            if (e instanceof IOException io && malformedChunks(io)) {
                // The head was fine and the connection is still up: the client can be told what was wrong.
                throw new HttpError(400, "malformed chunked request body: " + io.getMessage());
            }
            throw e;
        }
        if (watch.end()) {
            throw timedOut(timeout);
        }
        return body;
    }

    private static byte[] read(HttpExchange exchange, long limit, long length) throws IOException {
        InputStream in = exchange.getRequestBody();
        // The declared length sizes the buffer only up to 1 MB: a client may declare a body it never sends.
        ByteArrayOutputStream out = new ByteArrayOutputStream(length >= 0 ? (int) Math.min(length, 1 << 20) : 8192);
        byte[] chunk = new byte[8192];
        long total = 0;
        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
            total += n;
            if (total > limit) {
                throw refuse(
                        exchange, new HttpError(413, "request body is over the server's limit of " + limit + " bytes"));
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
    }

    /** Marks the body as refused unread, so the answer closes the connection and lingers first (see send). */
    private static HttpError refuse(HttpExchange exchange, HttpError error) {
        ExchangeState.of(exchange).refuseBody();
        exchange.getResponseHeaders().set("Connection", "close");
        return error;
    }

    private static BodyTimeout timedOut(Duration timeout) {
        return new BodyTimeout("request body not received within the read timeout of " + timeout.toMillis() + " ms");
    }

    /**
     * Runs on the watchdog's thread while the handler thread is blocked reading the body, which is why it
     * flushes but does not close the response: closing drains the request body, whose lock the reader holds.
     */
    private static void answerTimeout(HttpExchange exchange, Duration timeout) {
        ObjectNode error = JSON.createObjectNode();
        error.put("error", timedOut(timeout).getMessage());
        try {
            byte[] body = JSON.writeValueAsBytes(error);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Connection", "close");
            exchange.sendResponseHeaders(408, body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body);
            out.flush();
        } catch (IOException e) {
            // The client is gone as well; the interrupt that follows closes the connection all the same.
        }
    }

    /** Refuses any method but POST with 405 and the Allow header the status requires: "{what} takes POST, not GET". */
    static void requirePost(HttpExchange exchange, String what) {
        String method = exchange.getRequestMethod();
        if (!method.equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            throw new HttpError(405, what + " takes POST, not " + method);
        }
    }

    /** The media type of the request without parameters, lower case; empty when there is none. */
    static String contentType(HttpExchange exchange) {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null) {
            return "";
        }
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
    }

    static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    /**
     * Writes the answer and ends the exchange, within the read timeout: writing blocks on a client that does
     * not read, and ending the exchange makes the JDK drain (up to 64 KB of) a body the route did not read,
     * from a client that may be trickling it. Past the timeout the watchdog closes the connection.
     */
    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        ExchangeState state = ExchangeState.of(exchange);
        ReadWatchdog.Watch watch = state.watchdog().watch(state.readTimeout(), () -> {});
        try {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (exchange.getRequestMethod().equals("HEAD")) {
                // A HEAD answer is the GET's head: its length, no body (the JDK wants -1 and sets none itself).
                exchange.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                    if (state.bodyRefused()) {
                        out.flush();
                        discardRefusedBody(exchange);
                    }
                }
            }
        } finally {
            watch.end();
        }
    }

    /**
     * Reads and drops what the client still sends of a refused body, for a moment, before the connection
     * closes: closing a socket with unread data makes TCP reset the connection, and a client still writing its
     * body then loses the answer it has not read yet (Apache's and nginx's "lingering close"). Without this, a
     * chunked body larger than the limit often got no 413 at all, only a reset.
     */
    private static void discardRefusedBody(HttpExchange exchange) {
        ExchangeState state = ExchangeState.of(exchange);
        Duration linger = state.readTimeout().compareTo(LINGER) < 0 ? state.readTimeout() : LINGER;
        ReadWatchdog.Watch watch = state.watchdog().watch(linger, () -> {});
        try {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // The client closed, or the linger time ran out and the watchdog closed the connection.
        } finally {
            watch.end();
        }
    }

    /** The protocol's error body: {@code {"error": "..."}}. */
    static void sendError(HttpExchange exchange, HttpError error) throws IOException {
        if (error.retryAfterSeconds() != null) {
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("error", error.getMessage());
        sendJson(exchange, error.status(), body);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
