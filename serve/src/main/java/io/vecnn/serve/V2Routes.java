package io.vecnn.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.vecnn.Classification;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Open Inference Protocol (KServe V2) over REST, as Triton, KServe and OpenVINO Model Server speak it:
 * server and model health, metadata and inference, with the classification and binary tensor data
 * extensions. Every model has one version, "1", reachable with or without {@code /versions/1}.
 */
final class V2Routes {
    static final String INPUT = "input";
    static final String OUTPUT = "output";
    static final String BINARY_HEADER = "Inference-Header-Content-Length";

    private final Map<String, ServedModel> models;
    private final ServerConfig config;
    private final String serverVersion;

    V2Routes(Map<String, ServedModel> models, ServerConfig config, String serverVersion) {
        this.models = models;
        this.config = config;
        this.serverVersion = serverVersion;
    }

    /**
     * Answers a request under {@code /v2}, naming its route for the metrics first. Liveness is 200 whenever the
     * server answers at all; readiness, the server's and a model's, is 503 with the reason ("warming up",
     * "stopping") until every model, or this one, has warmed up, and again once the server is stopping.
     */
    void handle(HttpExchange exchange, String[] path, boolean stopping) throws IOException {
        String method = exchange.getRequestMethod();
        if (path.length == 1) {
            ExchangeIo.nameEndpoint(exchange, "v2_server_metadata");
            requireGet(method);
            ObjectNode body = ExchangeIo.JSON.createObjectNode();
            body.put("name", "vecnn");
            body.put("version", serverVersion);
            body.putArray("extensions")
                    .add("classification")
                    .add("binary_tensor_data")
                    .add("model_repository");
            ExchangeIo.sendJson(exchange, 200, body);
            return;
        }
        if (path.length == 3 && path[1].equals("health") && (path[2].equals("live") || path[2].equals("ready"))) {
            boolean live = path[2].equals("live");
            ExchangeIo.nameEndpoint(exchange, live ? "v2_health_live" : "v2_health_ready");
            requireGet(method);
            String notReady =
                    live ? ServedModel.notLive(models.values()) : ServedModel.notReady(models.values(), stopping);
            ObjectNode body = ExchangeIo.JSON.createObjectNode();
            body.put(live ? "live" : "ready", notReady == null);
            if (notReady != null) {
                body.put("reason", notReady);
            }
            ExchangeIo.sendJson(exchange, notReady == null ? 200 : 503, body);
            return;
        }
        if (path.length >= 3 && path[1].equals("models")) {
            int rest = path.length >= 5 && path[3].equals("versions") ? 5 : 3;
            String action = path.length == rest ? "metadata" : path.length == rest + 1 ? path[rest] : "";
            if (action.equals("metadata") || action.equals("ready") || action.equals("infer")) {
                ExchangeIo.nameEndpoint(
                        exchange,
                        action.equals("metadata")
                                ? "v2_model_metadata"
                                : action.equals("ready") ? "v2_model_ready" : "v2_infer");
                ServedModel model = ServedModel.named(models, path[2]);
                if (rest == 5 && !path[4].equals(ServedModel.VERSION)) {
                    throw new HttpError(
                            404,
                            "model '" + path[2] + "' has no version '" + path[4] + "'; it has version "
                                    + ServedModel.VERSION);
                }
                switch (action) {
                    case "metadata" -> {
                        requireGet(method);
                        ExchangeIo.sendJson(exchange, 200, metadata(model));
                    }
                    case "ready" -> {
                        requireGet(method);
                        String notReady = model.notReady(stopping);
                        ObjectNode body = ExchangeIo.JSON.createObjectNode();
                        body.put("name", model.name());
                        body.put("ready", notReady == null);
                        if (notReady != null) {
                            body.put("reason", notReady);
                        }
                        ExchangeIo.sendJson(exchange, notReady == null ? 200 : 503, body);
                    }
                    default -> {
                        ExchangeIo.requirePost(exchange, "inference");
                        infer(exchange, model);
                    }
                }
                return;
            }
        }
        throw new HttpError(404, "no such endpoint: " + exchange.getRequestURI().getPath());
    }

    private static void requireGet(String method) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new HttpError(405, "this endpoint takes GET, not " + method);
        }
    }

    private static ObjectNode metadata(ServedModel model) {
        ObjectNode body = ExchangeIo.JSON.createObjectNode();
        body.put("name", model.name());
        body.putArray("versions").add(ServedModel.VERSION);
        body.put("platform", "vecnn");
        tensor(body.putArray("inputs"), INPUT, model.inputShape());
        tensor(body.putArray("outputs"), OUTPUT, model.outputShape());
        return body;
    }

    private static void tensor(ArrayNode list, String name, long[] shape) {
        ObjectNode t = list.addObject();
        t.put("name", name);
        t.put("datatype", "FP32");
        ArrayNode dims = t.putArray("shape");
        for (long d : shape) {
            dims.add(d);
        }
    }

    private void infer(HttpExchange exchange, ServedModel model) throws IOException {
        String type = ExchangeIo.contentType(exchange);
        if (!type.isEmpty() && !type.equals("application/json") && !type.equals("application/octet-stream")) {
            throw new HttpError(
                    415,
                    "inference takes application/json (or application/octet-stream with the binary "
                            + "tensor data extension), not " + type);
        }
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
            throw new HttpError(
                    415, "Content-Encoding '" + encoding + "' is not supported; send the body uncompressed");
        }
        long jsonLength = -1;
        String header = exchange.getRequestHeaders().getFirst(BINARY_HEADER);
        if (header != null) {
            try {
                jsonLength = Long.parseLong(header.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, BINARY_HEADER + " '" + header + "' is not a number");
            }
            if (jsonLength < 0) {
                throw new HttpError(400, BINARY_HEADER + " must not be negative");
            }
        }
        byte[] body = ExchangeIo.body(exchange, config.maxBodyBytes());
        V2InferRequest request = V2InferRequest.parse(body, jsonLength);
        int images = validate(request, model);
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        float[] logits = Futures.await(
                model.batcher().submit(request.inputs().get(0).data(), images, deadline), config.requestTimeout());
        respond(exchange, model, request, images, logits);
    }

    /** Checks the request against the model; returns the batch size. */
    static int validate(V2InferRequest request, ServedModel model) {
        if (request.inputs().size() != 1) {
            throw new HttpError(
                    400,
                    "model '" + model.name() + "' takes one input, '" + INPUT + "'; the request has "
                            + request.inputs().size());
        }
        V2InferRequest.Input in = request.inputs().get(0);
        if (!in.name().equals(INPUT)) {
            throw new HttpError(
                    400,
                    "unexpected input '" + in.name() + "' for model '" + model.name() + "'; its input is '" + INPUT
                            + "'");
        }
        if (!in.datatype().equals("FP32")) {
            throw new HttpError(
                    400,
                    "input '" + INPUT + "' has datatype " + in.datatype() + "; model '" + model.name()
                            + "' takes FP32");
        }
        long[] expected = model.inputShape();
        long[] shape = in.shape();
        boolean matches = shape.length == 4 && shape[0] >= 1;
        for (int i = 1; matches && i < 4; i++) {
            matches = shape[i] == expected[i];
        }
        if (!matches) {
            throw new HttpError(
                    400,
                    "input '" + INPUT + "' has shape " + Arrays.toString(shape) + "; model '"
                            + model.name() + "' takes " + Arrays.toString(expected)
                            + " (a batch of NCHW images, any batch size ≥ 1)");
        }
        if (shape[0] > 1024) {
            throw new HttpError(400, "batch of " + shape[0] + " images is over the limit of 1024 per request");
        }
        long values = shape[0] * model.inputValues();
        if (in.data() == null) {
            throw new HttpError(400, "input '" + INPUT + "' has no 'data' (and no binary_data_size)");
        }
        if (in.data().length != values) {
            throw new HttpError(
                    400,
                    "input '" + INPUT + "' of shape " + Arrays.toString(shape) + " needs " + values
                            + " values, 'data' has " + in.data().length);
        }
        for (V2InferRequest.Output out : request.outputs()) {
            if (!out.name().equals(OUTPUT)) {
                throw new HttpError(
                        400,
                        "unexpected output '" + out.name() + "' requested from model '" + model.name()
                                + "'; its output is '" + OUTPUT + "'");
            }
            JsonNode k = out.parameters() == null ? null : out.parameters().get("classification");
            if (k != null && (!k.canConvertToInt() || k.asInt() < 1)) {
                throw new HttpError(400, "output parameter 'classification' must be a positive integer, got " + k);
            }
        }
        return (int) shape[0];
    }

    private void respond(HttpExchange exchange, ServedModel model, V2InferRequest request, int images, float[] logits)
            throws IOException {
        V2InferRequest.Output requested =
                request.outputs().isEmpty() ? null : request.outputs().get(0);
        JsonNode params = requested == null ? null : requested.parameters();
        int classification = params != null && params.has("classification")
                ? params.get("classification").asInt()
                : 0;
        boolean binary = params != null && params.has("binary_data")
                ? params.get("binary_data").asBoolean()
                : request.parameters() != null
                        && request.parameters().path("binary_data_output").asBoolean(false);
        int classes = model.outputValues();
        byte[] binaryData = null;
        ByteArrayOutputStream json = new ByteArrayOutputStream(binary ? 512 : 16 * logits.length + 256);
        try (JsonGenerator g = ExchangeIo.JSON.getFactory().createGenerator(json)) {
            g.writeStartObject();
            g.writeStringField("model_name", model.name());
            g.writeStringField("model_version", ServedModel.VERSION);
            if (request.id() != null) {
                g.writeStringField("id", request.id());
            }
            g.writeArrayFieldStart("outputs");
            g.writeStartObject();
            g.writeStringField("name", OUTPUT);
            if (classification > 0) {
                int k = Math.min(classification, classes);
                List<String> entries = classify(logits, images, classes, k, model.labels());
                g.writeStringField("datatype", "BYTES");
                writeShape(g, new long[] {images, k});
                if (binary) {
                    binaryData = bytesTensor(entries);
                    writeBinarySize(g, binaryData.length);
                } else {
                    g.writeArrayFieldStart("data");
                    for (String e : entries) {
                        g.writeString(e);
                    }
                    g.writeEndArray();
                }
            } else {
                g.writeStringField("datatype", "FP32");
                long[] shape = model.outputShape();
                shape[0] = images;
                writeShape(g, shape);
                if (binary) {
                    binaryData = new byte[logits.length * Float.BYTES];
                    ByteBuffer.wrap(binaryData)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .asFloatBuffer()
                            .put(logits);
                    writeBinarySize(g, binaryData.length);
                } else {
                    g.writeArrayFieldStart("data");
                    for (float v : logits) {
                        g.writeNumber(v);
                    }
                    g.writeEndArray();
                }
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        }
        if (binaryData == null) {
            ExchangeIo.send(exchange, 200, "application/json", json.toByteArray());
            return;
        }
        exchange.getResponseHeaders().set(BINARY_HEADER, String.valueOf(json.size()));
        json.write(binaryData);
        ExchangeIo.send(exchange, 200, "application/octet-stream", json.toByteArray());
    }

    private static void writeShape(JsonGenerator g, long[] shape) throws IOException {
        g.writeFieldName("shape");
        g.writeArray(shape, 0, shape.length);
    }

    private static void writeBinarySize(JsonGenerator g, int bytes) throws IOException {
        g.writeObjectFieldStart("parameters");
        g.writeNumberField("binary_data_size", bytes);
        g.writeEndObject();
    }

    /** Triton's classification strings, {@code value:index:label}, best first per image. */
    static List<String> classify(float[] logits, int images, int classes, int k, List<String> labels) {
        List<String> entries = new ArrayList<>(images * k);
        for (int b = 0; b < images; b++) {
            for (Classification c : Classification.topK(logits, b * classes, classes, k, labels)) {
                float value = logits[b * classes + c.index()];
                entries.add(String.format(Locale.ROOT, "%f:%d", value, c.index())
                        + (c.index() < labels.size() ? ":" + labels.get(c.index()) : ""));
            }
        }
        return entries;
    }

    /** The binary form of a BYTES tensor: each element as a 4-byte little-endian length and its bytes. */
    private static byte[] bytesTensor(List<String> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String e : entries) {
            byte[] utf8 = e.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(utf8.length)
                    .array());
            out.writeBytes(utf8);
        }
        return out.toByteArray();
    }
}
