package io.vecnn.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.Model;
import io.vecnn.Shape;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A server on a free loopback port, ready (warmed up), and an HTTP client for it. */
final class ServerFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final InferenceServer server;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    ServerFixture(ServerConfig config, Map<String, Model> models) {
        this(InferenceServer.start(config.withPort(0), models));
    }

    /**
     * A client for a server started otherwise (from files, say), once it is ready: the tests send requests to a
     * server as a load balancer would, after its warm-up. Closing the fixture stops it.
     */
    ServerFixture(InferenceServer server) {
        this(server, true);
    }

    /** A client for a server that may still be warming up, for the tests of readiness itself. */
    static ServerFixture warmingUp(InferenceServer server) {
        return new ServerFixture(server, false);
    }

    private ServerFixture(InferenceServer server, boolean awaitReady) {
        this.server = server;
        if (!awaitReady) {
            return;
        }
        try {
            if (!server.awaitReady(Duration.ofSeconds(120))) {
                server.stop(Duration.ofSeconds(5));
                throw new AssertionError("the server did not become ready");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.stop(Duration.ofSeconds(5));
            throw new AssertionError(e);
        }
    }

    HttpResponse<byte[]> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<byte[]> post(String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b);
    }

    /** One image of {@code shape} to model {@code name}'s V2 infer, as a binary-extension body. */
    HttpResponse<byte[]> inferBinary(String name, float[] image, Shape shape) {
        byte[] body = RawClient.binaryInfer(image, 1, shape.channels(), shape.height(), shape.width());
        return post(
                "/v2/models/" + name + "/infer",
                "application/octet-stream",
                body,
                V2Routes.BINARY_HEADER,
                String.valueOf(RawClient.headerLength(body, image.length)));
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return client.send(
                    request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    URI uri(String path) {
        return URI.create(server.uri() + path);
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(response.body()), e);
        }
    }

    /** The first output's data of a V2 JSON answer; the answer must be a 200. */
    static float[] logits(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError("status " + response.statusCode() + ": " + new String(response.body()));
        }
        JsonNode data = json(response).get("outputs").get(0).get("data");
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).floatValue();
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(5));
    }
}
