package io.vecnn.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.vecnn.VecnnException;
import io.vecnn.WarmupReport;

import java.io.IOException;
import java.util.Map;

/**
 * The one model repository call the server offers, from KServe V2's model repository extension:
 * {@code POST /v2/repository/models/{name}/load} reads a served model again from the file it was started
 * from and swaps it in under traffic. The file is always the one given at start: a request never names a
 * path, so the endpoint cannot be made to read anything else.
 */
final class RepositoryRoutes {
    private final Map<String, ServedModel> models;
    private final ServerConfig config;
    private final ServerMetrics metrics;

    RepositoryRoutes(Map<String, ServedModel> models, ServerConfig config, ServerMetrics metrics) {
        this.models = models;
        this.config = config;
        this.metrics = metrics;
    }

    /** Answers a request under {@code /v2/repository}. */
    void handle(HttpExchange exchange, String[] path) throws IOException {
        if (path.length != 5 || !path[2].equals("models") || !path[4].equals("load")) {
            throw new HttpError(
                    404,
                    "no such endpoint: " + exchange.getRequestURI().getPath()
                            + "; the model repository offers POST /v2/repository/models/{name}/load only");
        }
        ExchangeIo.nameEndpoint(exchange, "v2_repository_load");
        ExchangeIo.requirePost(exchange, "loading a model");
        ServedModel model = ServedModel.named(models, path[3]);
        refuseParameters(ExchangeIo.body(exchange, config.maxBodyBytes()));
        long start = System.nanoTime();
        try {
            model.reloadFromSource();
        } catch (HttpError e) {
            throw e;
        } catch (RuntimeException e) {
            metrics.reload(model.name(), false);
            throw new HttpError(
                    500,
                    "reloading model '" + model.name() + "' from "
                            + model.source().file()
                            + " failed; the previous model is still serving: "
                            + (e instanceof VecnnException ? e.getMessage() : e.toString()));
        }
        metrics.reload(model.name(), true);
        ObjectNode body = ExchangeIo.JSON.createObjectNode();
        body.put("name", model.name());
        body.put("file", model.source().file().toString());
        body.put("load_ms", (System.nanoTime() - start) / 1e6);
        WarmupReport warmup = model.lastWarmup();
        if (warmup != null) {
            // load_ms includes the warm-up, which the new model ran before it replaced the old one.
            body.put("warmup_ms", warmup.elapsed().toNanos() / 1e6);
            body.put("warmup_settled", warmup.settled());
        }
        ExchangeIo.sendJson(exchange, 200, body);
    }

    /** The extension lets a request override the model's config or files; this server only rereads its own. */
    private static void refuseParameters(byte[] body) {
        if (body.length == 0) {
            return;
        }
        JsonNode request;
        try {
            request = ExchangeIo.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new HttpError(400, "the load request's body is not JSON: " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the load request: " + e.getMessage());
        }
        if (request == null || !request.isObject() || request.has("parameters")) {
            throw new HttpError(
                    400, "a load request takes no parameters: the server rereads the file it was " + "started with");
        }
    }
}
