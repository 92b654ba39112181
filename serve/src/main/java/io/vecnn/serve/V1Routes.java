package io.vecnn.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.vecnn.Classification;
import io.vecnn.VecnnException;
import io.vecnn.image.DecodedImage;
import io.vecnn.image.ImageDecoder;
import io.vecnn.image.ImageHeader;
import io.vecnn.image.ImageTransform;
import io.vecnn.npy.Npy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * The convenience API: {@code GET /v1/models} lists the models with their input spec, and
 * {@code POST /v1/models/{name}:predict} takes a JPEG or PNG (preprocessed as torchvision's published
 * weights expect) or an NPY tensor and answers the top-k classes with timings.
 */
final class V1Routes {
    private static final int DEFAULT_TOP = 5;

    private final Map<String, ServedModel> models;
    private final ServerConfig config;
    private final DecodeAdmission decoding;

    V1Routes(Map<String, ServedModel> models, ServerConfig config, DecodeAdmission decoding) {
        this.models = models;
        this.config = config;
        this.decoding = decoding;
    }

    /** Answers a request under {@code /v1}, naming its route for the metrics first. */
    void handle(HttpExchange exchange, String[] path) throws IOException {
        if (path.length == 2 && path[1].equals("models")) {
            ExchangeIo.nameEndpoint(exchange, "v1_models");
            if (!exchange.getRequestMethod().equals("GET")) {
                throw new HttpError(405, "this endpoint takes GET, not " + exchange.getRequestMethod());
            }
            ObjectNode body = ExchangeIo.JSON.createObjectNode();
            ArrayNode list = body.putArray("models");
            for (ServedModel m : models.values()) {
                list.add(describe(m));
            }
            ExchangeIo.sendJson(exchange, 200, body);
            return;
        }
        if (path.length == 3 && path[1].equals("models") && path[2].endsWith(":predict")) {
            ExchangeIo.nameEndpoint(exchange, "v1_predict");
            ServedModel model = ServedModel.named(models, path[2].substring(0, path[2].length() - ":predict".length()));
            ExchangeIo.requirePost(exchange, "prediction");
            predict(exchange, model);
            return;
        }
        throw new HttpError(404, "no such endpoint: " + exchange.getRequestURI().getPath());
    }

    private static ObjectNode describe(ServedModel m) {
        ObjectNode node = ExchangeIo.JSON.createObjectNode();
        node.put("name", m.name());
        ObjectNode input = node.putObject("input");
        ArrayNode shape = input.putArray("shape");
        for (long d : m.inputShape()) {
            shape.add(d);
        }
        input.put("layout", "NCHW");
        ImageTransform t = m.transform();
        ObjectNode pre = input.putObject("preprocessing");
        pre.put("resize", t.resize());
        pre.putArray("crop").add(t.cropHeight()).add(t.cropWidth());
        pre.put("grayscale", t.grayscale());
        ArrayNode mean = pre.putArray("mean");
        for (float v : t.mean()) {
            mean.add(v);
        }
        ArrayNode std = pre.putArray("std");
        for (float v : t.std()) {
            std.add(v);
        }
        ArrayNode out = node.putObject("output").putArray("shape");
        for (long d : m.outputShape()) {
            out.add(d);
        }
        node.put("labels", m.labels().size());
        return node;
    }

    private void predict(HttpExchange exchange, ServedModel model) throws IOException {
        int top = top(exchange);
        String type = ExchangeIo.contentType(exchange);
        if (!type.equals("image/jpeg") && !type.equals("image/png") && !type.equals("application/x-npy")) {
            throw new HttpError(
                    415,
                    "prediction takes image/jpeg, image/png or application/x-npy, not "
                            + (type.isEmpty() ? "a body without Content-Type" : type));
        }
        long start = System.nanoTime();
        byte[] body = ExchangeIo.body(exchange, config.maxBodyBytes());
        float[] input;
        int images;
        try {
            if (type.equals("application/x-npy")) {
                Npy.Array array = Npy.parse(body, "request body");
                images = batchOf(array.shape(), model);
                input = array.data();
            } else {
                input = decode(body, model);
                images = 1;
            }
        } catch (VecnnException e) {
            throw new HttpError(400, e.getMessage());
        }
        long preprocessed = System.nanoTime();
        long deadline = preprocessed + config.requestTimeout().toNanos();
        float[] logits = Futures.await(model.batcher().submit(input, images, deadline), config.requestTimeout());
        long done = System.nanoTime();
        ObjectNode response = ExchangeIo.JSON.createObjectNode();
        response.put("model", model.name());
        ArrayNode predictions = response.putArray("predictions");
        int classes = model.outputValues();
        for (int b = 0; b < images; b++) {
            ArrayNode list = predictions.addArray();
            for (Classification c : Classification.topK(logits, b * classes, classes, top, model.labels())) {
                ObjectNode entry = list.addObject();
                entry.put("label", c.label());
                entry.put("index", c.index());
                entry.put("probability", c.probability());
            }
        }
        ObjectNode timing = response.putObject("timing_ms");
        timing.put("preprocess", (preprocessed - start) / 1e6);
        timing.put("inference", (done - preprocessed) / 1e6);
        timing.put("total", (done - start) / 1e6);
        ExchangeIo.sendJson(exchange, 200, response);
    }

    private static int top(HttpExchange exchange) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return DEFAULT_TOP;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("top=")) {
                try {
                    int k = Integer.parseInt(pair.substring(4));
                    if (k >= 1 && k <= 1000) {
                        return k;
                    }
                } catch (NumberFormatException ignored) {
                    // Reported below with the value the client sent.
                }
                throw new HttpError(
                        400, "query parameter top must be a number from 1 to 1000, got '" + pair.substring(4) + "'");
            }
        }
        return DEFAULT_TOP;
    }

    /**
     * The model's input from an image file: refused from its header when over the limits, decoded once its
     * memory is reserved from the decode budget.
     */
    private float[] decode(byte[] body, ServedModel model) {
        ImageHeader header = ImageDecoder.header(body);
        try (DecodeAdmission.Permit permit = decoding.admit(header)) {
            DecodedImage image = ImageDecoder.decode(body);
            float[] input = new float[model.inputValues()];
            model.transform().writeNchw(image, input, 0);
            return input;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "the server is stopping", 1);
        }
    }

    /** An NPY tensor is one image (C, H, W) or a batch (N, C, H, W) at the model's input shape. */
    private static int batchOf(int[] shape, ServedModel model) {
        long[] expected = model.inputShape();
        int offset = shape.length == 3 ? 0 : 1;
        boolean matches = (shape.length == 3 || (shape.length == 4 && shape[0] >= 1 && shape[0] <= 1024));
        for (int i = 0; matches && i < 3; i++) {
            matches = shape[offset + i] == expected[i + 1];
        }
        if (!matches) {
            throw new HttpError(
                    400,
                    "NPY tensor has shape " + Arrays.toString(shape) + "; model '" + model.name()
                            + "' takes (C, H, W) or (N, C, H, W) with C, H, W = " + expected[1] + ", " + expected[2]
                            + ", "
                            + expected[3] + " (float32, NCHW)");
        }
        return shape.length == 3 ? 1 : shape[0];
    }
}
