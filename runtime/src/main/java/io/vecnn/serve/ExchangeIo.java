package io.vecnn.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Reading bounded request bodies and writing JSON and error responses on the JDK's HTTP exchange. */
final class ExchangeIo {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENDPOINT = "vecnn.endpoint";

    private ExchangeIo() {
    }

    /**
     * Names the route a request matched, as the metrics count it: the route, not the URL (which names models).
     * Set by the route as soon as it recognises the path, so a request it then refuses counts there too.
     */
    static void nameEndpoint(HttpExchange exchange, String endpoint) {
        exchange.setAttribute(ENDPOINT, endpoint);
    }

    /** The route {@link #nameEndpoint} recorded, or "unknown" for a path no route matched. */
    static String endpoint(HttpExchange exchange) {
        return exchange.getAttribute(ENDPOINT) instanceof String name ? name : "unknown";
    }

    /**
     * The whole body, refused with 413 before reading when its declared length is over {@code limit}, and
     * while reading when a body without a length (chunked) grows past it.
     */
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
                throw new HttpError(413, "request body of " + length + " bytes is over the server's limit of "
                        + limit + " bytes");
            }
        }
        InputStream in = exchange.getRequestBody();
        ByteArrayOutputStream out = new ByteArrayOutputStream(length >= 0 ? (int) length : 8192);
        byte[] chunk = new byte[8192];
        long total = 0;
        for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
            total += n;
            if (total > limit) {
                throw new HttpError(413, "request body is over the server's limit of " + limit + " bytes");
            }
            out.write(chunk, 0, n);
        }
        return out.toByteArray();
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

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
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
