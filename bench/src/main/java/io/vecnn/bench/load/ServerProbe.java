package io.vecnn.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.VecnnException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The setup requests before a load run: is the server there, which model, what input shape. Every failure
 * is a {@link VecnnException} with a one-line message, since nothing can be measured without an answer.
 */
public final class ServerProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Duration timeout;

    public ServerProbe(Duration timeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
        this.timeout = timeout;
    }

    /**
     * Finds {@code model} on the server at {@code baseUri} (when null, the server's only model) and reads its
     * input shape from the V2 metadata endpoint.
     */
    public ModelTarget target(URI baseUri, String model) {
        String name = model != null ? model : onlyModel(baseUri);
        HttpResponse<String> meta = get(baseUri, "/v2/models/" + name);
        if (meta.statusCode() == 404) {
            throw new VecnnException("the server at " + baseUri + " has no model '" + name + "': " + errorText(meta));
        }
        if (meta.statusCode() != 200) {
            throw new VecnnException("GET /v2/models/" + name + " at " + baseUri + " answered " + meta.statusCode()
                    + ": " + errorText(meta));
        }
        JsonNode shape = parse(meta, baseUri).path("inputs").path(0).path("shape");
        if (!shape.isArray() || shape.size() != 4) {
            throw new VecnnException(
                    "model '" + name + "' at " + baseUri + " does not describe an NCHW input: " + shape);
        }
        List<Integer> chw = new ArrayList<>();
        for (int i = 1; i < 4; i++) {
            chw.add(shape.get(i).asInt());
        }
        return new ModelTarget(baseUri, name, List.copyOf(chw));
    }

    /**
     * The server's batch-size histogram totals for {@code model} from {@code /metrics}, or null when the
     * server has no such endpoint (it is not VecNN) so that the report can say "unknown".
     */
    public BatchCounter batchCounter(ModelTarget target) {
        HttpResponse<String> metrics;
        try {
            metrics = get(target.baseUri(), "/metrics");
        } catch (VecnnException e) {
            return null;
        }
        return metrics.statusCode() == 200 ? BatchCounter.parse(metrics.body(), target.model()) : null;
    }

    private String onlyModel(URI baseUri) {
        HttpResponse<String> health = get(baseUri, "/healthz");
        List<String> names = new ArrayList<>();
        parse(health, baseUri).path("models").forEach(n -> names.add(n.asText()));
        if (names.size() != 1) {
            throw new VecnnException("the server at " + baseUri + " serves "
                    + (names.isEmpty() ? "no models it lists" : names) + "; name one with --model");
        }
        return names.get(0);
    }

    private HttpResponse<String> get(URI baseUri, String path) {
        URI uri = URI.create(baseUri + path);
        try {
            return http.send(
                    HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new VecnnException(
                    "cannot connect to " + baseUri + " (connection refused); is the server running?", e);
        } catch (HttpTimeoutException e) {
            throw new VecnnException("no answer from " + uri + " within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new VecnnException("cannot reach " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecnnException("interrupted while asking " + uri, e);
        }
    }

    private static JsonNode parse(HttpResponse<String> response, URI baseUri) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new VecnnException(
                    response.uri() + " answered " + response.statusCode() + " with a body that is not " + "JSON; is "
                            + baseUri + " a VecNN (KServe V2) server?",
                    e);
        }
    }

    /** The server's {@code {"error": ...}} message, or the start of whatever else it sent. */
    static String errorText(HttpResponse<String> response) {
        try {
            JsonNode error = JSON.readTree(response.body()).get("error");
            if (error != null) {
                return error.asText();
            }
        } catch (IOException e) {
            // Not the protocol's error body; the raw text below says more than the parse failure would.
        }
        String body = response.body().strip().replaceAll("\\s+", " ");
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
}
