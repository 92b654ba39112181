package io.vecnn.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vecnn.Classification;
import io.vecnn.Model;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Open Inference Protocol's REST endpoints, driven the way its specification's examples and Triton's
 * client do: health, server and model metadata, JSON and binary inference, classification, errors.
 */
class V2ProtocolTest {
    private static final List<String> LABELS =
            List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
    private static ForkJoinPool pool;
    private static Model model;
    private static ServerFixture fixture;

    @BeforeAll
    static void start() {
        ModelFile f = SmallNets.tiny(7);
        pool = new ForkJoinPool(2);
        model = Model.of(new ModelFile(f.graph(), f.weights(), LABELS, f.provenance()), pool);
        fixture = new ServerFixture(ServerConfig.defaults(), Map.of("tiny", model));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        model.close();
        pool.shutdown();
    }

    private static float[] input(int images, long seed) {
        return RandomTensors.gaussian(new Random(seed), images * 3 * 32 * 32, 1);
    }

    private static ObjectNode inferRequest(float[] x, int images, boolean nested) {
        ObjectNode req = ServerFixture.JSON.createObjectNode();
        req.put("id", "42");
        ObjectNode in = req.putArray("inputs").addObject();
        in.put("name", "input");
        in.putArray("shape").add(images).add(3).add(32).add(32);
        in.put("datatype", "FP32");
        ArrayNode data = in.putArray("data");
        if (nested) {
            int at = 0;
            for (int b = 0; b < images; b++) {
                ArrayNode image = data.addArray();
                for (int c = 0; c < 3; c++) {
                    ArrayNode plane = image.addArray();
                    for (int y = 0; y < 32; y++) {
                        ArrayNode row = plane.addArray();
                        for (int xx = 0; xx < 32; xx++) {
                            row.add(x[at++]);
                        }
                    }
                }
            }
        } else {
            for (float v : x) {
                data.add(v);
            }
        }
        return req;
    }

    private static HttpResponse<byte[]> postJson(String path, JsonNode body) {
        return fixture.post(path, "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).floatValue();
        }
        return v;
    }

    @Test
    void healthAndServerMetadata() {
        HttpResponse<byte[]> live = fixture.get("/v2/health/live");
        assertEquals(200, live.statusCode());
        assertTrue(ServerFixture.json(live).get("live").asBoolean());
        HttpResponse<byte[]> ready = fixture.get("/v2/health/ready");
        assertEquals(200, ready.statusCode());
        JsonNode meta = ServerFixture.json(fixture.get("/v2"));
        assertEquals("vecnn", meta.get("name").asText());
        assertFalse(meta.get("version").asText().isEmpty());
        assertTrue(meta.get("extensions").toString().contains("classification"));
        assertTrue(meta.get("extensions").toString().contains("model_repository"));
    }

    @Test
    void modelMetadataAndReadinessWithAndWithoutVersion() {
        for (String base : List.of("/v2/models/tiny", "/v2/models/tiny/versions/1")) {
            HttpResponse<byte[]> r = fixture.get(base);
            assertEquals(200, r.statusCode(), base);
            JsonNode meta = ServerFixture.json(r);
            assertEquals("tiny", meta.get("name").asText());
            assertEquals("[\"1\"]", meta.get("versions").toString());
            assertEquals("vecnn", meta.get("platform").asText());
            assertEquals(
                    "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,3,32,32]}",
                    meta.get("inputs").get(0).toString());
            assertEquals(
                    "{\"name\":\"output\",\"datatype\":\"FP32\",\"shape\":[-1,10]}",
                    meta.get("outputs").get(0).toString());
            JsonNode ready = ServerFixture.json(fixture.get(base + "/ready"));
            assertEquals("tiny", ready.get("name").asText());
            assertTrue(ready.get("ready").asBoolean());
        }
        assertEquals(404, fixture.get("/v2/models/tiny/versions/2").statusCode());
        HttpResponse<byte[]> unknown = fixture.get("/v2/models/nope");
        assertEquals(404, unknown.statusCode());
        assertTrue(ServerFixture.json(unknown).get("error").asText().contains("unknown model 'nope'"));
    }

    @Test
    void jsonInferenceGivesTheModelsLogitsFlatOrNested() {
        float[] x = input(2, 1);
        float[] expected = model.run(x, 2);
        for (boolean nested : new boolean[] {false, true}) {
            HttpResponse<byte[]> r = postJson("/v2/models/tiny/infer", inferRequest(x, 2, nested));
            assertEquals(200, r.statusCode(), new String(r.body()));
            JsonNode resp = ServerFixture.json(r);
            assertEquals("42", resp.get("id").asText());
            assertEquals("tiny", resp.get("model_name").asText());
            JsonNode out = resp.get("outputs").get(0);
            assertEquals("output", out.get("name").asText());
            assertEquals("FP32", out.get("datatype").asText());
            assertEquals("[2,10]", out.get("shape").toString());
            assertArrayEquals(expected, floats(out.get("data")));
        }
    }

    @Test
    void classificationExtensionReturnsTopKStrings() {
        float[] x = input(2, 2);
        float[] logits = model.run(x, 2);
        ObjectNode req = inferRequest(x, 2, false);
        req.putArray("outputs")
                .addObject()
                .put("name", "output")
                .putObject("parameters")
                .put("classification", 3);
        JsonNode out = ServerFixture.json(postJson("/v2/models/tiny/infer", req))
                .get("outputs")
                .get(0);
        assertEquals("BYTES", out.get("datatype").asText());
        assertEquals("[2,3]", out.get("shape").toString());
        for (int b = 0; b < 2; b++) {
            List<Classification> top = Classification.topK(logits, b * 10, 10, 3, LABELS);
            for (int k = 0; k < 3; k++) {
                Classification c = top.get(k);
                String want = String.format(Locale.ROOT, "%f:%d:%s", logits[b * 10 + c.index()], c.index(), c.label());
                assertEquals(want, out.get("data").get(b * 3 + k).asText());
            }
        }
    }

    @Test
    void binaryTensorDataBothWays() {
        float[] x = input(1, 3);
        byte[] header = ("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\","
                        + "\"parameters\":{\"binary_data_size\":" + x.length * 4
                        + "}}],\"parameters\":{\"binary_data_output\":true}}")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(header.length + x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.put(header);
        body.asFloatBuffer().put(x);
        HttpResponse<byte[]> r = fixture.post(
                "/v2/models/tiny/infer",
                "application/octet-stream",
                body.array(),
                "Inference-Header-Content-Length",
                String.valueOf(header.length));
        assertEquals(200, r.statusCode(), new String(r.body()));
        int jsonLength = Integer.parseInt(
                r.headers().firstValue("Inference-Header-Content-Length").orElseThrow());
        JsonNode out;
        try {
            out = ServerFixture.JSON
                    .readTree(r.body(), 0, jsonLength)
                    .get("outputs")
                    .get(0);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(40, out.get("parameters").get("binary_data_size").asInt());
        float[] logits = new float[10];
        ByteBuffer.wrap(r.body(), jsonLength, 40)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(logits);
        assertArrayEquals(model.run(x, 1), logits);
    }

    @Test
    void malformedRequestsGetTheProtocolsErrorObject() {
        Map<String, String> cases = Map.of(
                "{\"inputs\": [", "malformed JSON",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"INT32\",\"data\":[1]}]}",
                        "takes FP32",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,8,8],\"datatype\":\"FP32\",\"data\":[1]}]}",
                        "takes [-1, 3, 32, 32]",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\",\"data\":[1,2]}]}",
                        "needs 3072 values",
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\",\"data\":[1]}]}",
                        "unexpected input 'x'",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\",\"data\":[\"a\"]}]}",
                        "numbers only",
                "{\"id\":\"1\"}", "no 'inputs'");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<byte[]> r = fixture.post(
                    "/v2/models/tiny/infer", "application/json", c.getKey().getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode(), c.getKey());
            String error = ServerFixture.json(r).get("error").asText();
            assertTrue(error.contains(c.getValue()), c.getKey() + " → " + error);
        }
        assertEquals(405, fixture.get("/v2/models/tiny/infer").statusCode());
        assertEquals(
                200,
                postJson("/v2/models/tiny/infer", inferRequest(input(1, 4), 1, false))
                        .statusCode(),
                "the server keeps serving after bad requests");
    }

    /** HEAD gets the GET's status and length with no body, and the JDK's server no warning about it. */
    @Test
    void headAnswersTheHeadOfAGetWithoutAWarning() {
        java.util.logging.Logger jdkServer = java.util.logging.Logger.getLogger("com.sun.net.httpserver");
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jdkServer.addHandler(handler);
        try {
            for (String path : List.of("/v2/health/ready", "/v2/models/tiny", "/v2")) {
                HttpResponse<byte[]> get = fixture.get(path);
                HttpResponse<byte[]> head = fixture.send(java.net.http.HttpRequest.newBuilder(fixture.uri(path))
                        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()));
                assertEquals(get.statusCode(), head.statusCode(), path);
                assertEquals(0, head.body().length, path);
                assertEquals(
                        String.valueOf(get.body().length),
                        head.headers().firstValue("Content-Length").orElse("none"),
                        path);
            }
        } finally {
            jdkServer.removeHandler(handler);
        }
        assertEquals(List.of(), warnings);
    }
}
