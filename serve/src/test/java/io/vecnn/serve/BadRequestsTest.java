package io.vecnn.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.npy.Npy;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad request gets its status and a message saying what was expected, and the server keeps
 * serving: wrong content type 415, oversized body 413 (declared or chunked), undecodable image and wrong tensor
 * shape 400. Also the image endpoint's happy path on a model with 1000 classes (ImageNet labels).
 */
class BadRequestsTest {
    private static final long LIMIT = 1 << 20;
    private static ForkJoinPool pool;
    private static Model model;
    private static ServerFixture fixture;

    @BeforeAll
    static void start() {
        pool = new ForkJoinPool(2);
        ModelFile f = SmallNets.classifier(
                new Shape(3, 224, 224), new int[] {8, 8, 16}, 1000, 3, Map.of("architecture", "resnet18"));
        model = Model.of(f, pool);
        fixture = new ServerFixture(ServerConfig.defaults().withMaxBodyBytes(LIMIT), Map.of("net", model));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        model.close();
        pool.shutdown();
    }

    private static byte[] jpeg(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8 | 128);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpeg", out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static void assertStillServing() {
        HttpResponse<byte[]> r = fixture.post("/v1/models/net:predict", "image/jpeg", jpeg(300, 200));
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    }

    private static void assertError(HttpResponse<byte[]> r, int status, String fragment) {
        assertEquals(status, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        String error = ServerFixture.json(r).get("error").asText();
        assertTrue(error.contains(fragment), error);
        assertStillServing();
    }

    @Test
    void imageEndpointAnswersTopKWithImageNetLabels() {
        HttpResponse<byte[]> r = fixture.post("/v1/models/net:predict?top=5", "image/jpeg", jpeg(320, 240));
        assertEquals(200, r.statusCode());
        JsonNode body = ServerFixture.json(r);
        JsonNode top = body.get("predictions").get(0);
        assertEquals(5, top.size());
        for (int i = 1; i < 5; i++) {
            assertTrue(top.get(i - 1).get("probability").floatValue()
                    >= top.get(i).get("probability").floatValue());
        }
        int index = top.get(0).get("index").asInt();
        assertEquals(
                io.vecnn.ImageNetClasses.names().get(index),
                top.get(0).get("label").asText());
        assertTrue(body.get("timing_ms").get("total").asDouble() > 0);
        JsonNode list =
                ServerFixture.json(fixture.get("/v1/models")).get("models").get(0);
        assertEquals("net", list.get("name").asText());
        assertEquals(256, list.get("input").get("preprocessing").get("resize").asInt());
        assertEquals(200, fixture.get("/healthz").statusCode());
    }

    @Test
    void npyTensorsAreAcceptedAtTheModelsShapeOnly(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.npy");
        Npy.write(good, new int[] {1, 3, 224, 224}, new float[3 * 224 * 224]);
        HttpResponse<byte[]> ok = fixture.post("/v1/models/net:predict", "application/x-npy", Files.readAllBytes(good));
        assertEquals(200, ok.statusCode(), new String(ok.body()));
        Path bad = dir.resolve("bad.npy");
        Npy.write(bad, new int[] {1, 3, 100, 100}, new float[3 * 100 * 100]);
        assertError(
                fixture.post("/v1/models/net:predict", "application/x-npy", Files.readAllBytes(bad)),
                400,
                "C, H, W = 3, 224, 224");
        assertError(
                fixture.post("/v1/models/net:predict", "application/x-npy", new byte[] {1, 2, 3}),
                400,
                "not an NPY file");
    }

    @Test
    void wrongContentTypeIs415() {
        assertError(fixture.post("/v1/models/net:predict", "text/plain", "hello".getBytes()), 415, "image/jpeg");
        assertError(fixture.post("/v1/models/net:predict", "image/gif", "GIF89a".getBytes()), 415, "image/png");
        assertError(fixture.post("/v2/models/net/infer", "image/jpeg", jpeg(10, 10)), 415, "application/json");
    }

    @Test
    void undecodableImageIs400() {
        assertError(
                fixture.post("/v1/models/net:predict", "image/jpeg", "GIF89a....".getBytes()),
                400,
                "not a JPEG or PNG");
        byte[] truncated = java.util.Arrays.copyOf(jpeg(300, 300), 600);
        assertError(fixture.post("/v1/models/net:predict", "image/jpeg", truncated), 400, "JPEG");
    }

    /**
     * Sends a raw HTTP/1.1 request head and body, as a client that writes its whole request before reading
     * would, reads the answer and returns its status line's first 12 bytes.
     */
    private static String rawStatus(String head, byte[] body) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", fixture.server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            // The whole answer, up to the server closing the connection, as a client reading it would.
            try {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (java.net.SocketException e) {
                // A reset after the answer was read changes nothing.
            }
            return status;
        }
    }

    /** A chunked body of one chunk of {@code size} bytes. */
    private static byte[] oneChunk(int size) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(size + 32);
        body.writeBytes((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(new byte[size]);
        body.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /**
     * Every oversized body gets its 413, also when the client is still writing it: the server reads and drops
     * the rest for a moment before closing, instead of closing with unread data, which made TCP reset the
     * connection and lose the answer (seen as "no 413" for a single chunk over the limit on JDK 25).
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void bodyOverTheLimitIs413WhetherDeclaredOrChunked() throws Exception {
        String chunked = "POST /v1/models/net:predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n";
        // A declared length over the limit is refused before the body is read, with or without the body sent.
        assertEquals(
                "HTTP/1.1 413",
                rawStatus(
                        "POST /v1/models/net:predict HTTP/1.1\r\nHost: x\r\n"
                                + "Content-Type: image/jpeg\r\nContent-Length: 1000000000\r\n\r\n",
                        new byte[0]));
        int declared = 8 * (int) LIMIT;
        assertEquals(
                "HTTP/1.1 413",
                rawStatus(
                        "POST /v1/models/net:predict HTTP/1.1\r\nHost: x\r\n"
                                + "Content-Type: image/jpeg\r\nContent-Length: " + declared + "\r\n\r\n",
                        new byte[declared]));
        // A chunked body has no length to check up front: it is refused once it passes the limit.
        for (int size : new int[] {(int) LIMIT + 1, 2 * (int) LIMIT, 8 * (int) LIMIT, 32 * (int) LIMIT}) {
            for (int attempt = 0; attempt < 3; attempt++) {
                assertEquals("HTTP/1.1 413", rawStatus(chunked, oneChunk(size)), "one chunk of " + size + " bytes");
            }
        }
        assertStillServing();
        String metrics = new String(fixture.get("/metrics").body(), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("vecnn_requests_total{endpoint=\"v1_predict\",code=\"413\"} 14"), metrics);
    }

    @Test
    void unknownModelAndEndpointAre404() {
        assertError(fixture.post("/v1/models/other:predict", "image/jpeg", jpeg(10, 10)), 404, "unknown model 'other'");
        assertError(fixture.get("/nothing/here"), 404, "no such endpoint");
    }

    @Test
    void metricsCountRequestsByEndpointAndStatus() {
        fixture.post("/v1/models/net:predict", "text/plain", "x".getBytes());
        assertStillServing();
        String metrics = new String(fixture.get("/metrics").body(), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("vecnn_requests_total{endpoint=\"v1_predict\",code=\"415\"}"), metrics);
        assertTrue(metrics.contains("vecnn_requests_total{endpoint=\"v1_predict\",code=\"200\"}"), metrics);
        assertTrue(
                metrics.contains("vecnn_request_duration_seconds_bucket{endpoint=\"v1_predict\",le=\"+Inf\"}"),
                metrics);
        assertTrue(metrics.contains("vecnn_batch_size_count{model=\"net\"}"), metrics);
        assertTrue(metrics.contains("vecnn_queue_depth{model=\"net\"} 0"), metrics);
    }

    @Test
    void aMalformedChunkedBodyIs400NotAClosedConnection() throws Exception {
        for (String chunk : new String[] {"zz\r\nabc\r\n0\r\n\r\n", "3 x\r\nabc\r\n0\r\n\r\n"}) {
            try (java.net.Socket socket = RawClient.connect(fixture.server.port(), java.time.Duration.ofSeconds(10))) {
                socket.getOutputStream()
                        .write(RawClient.ascii("POST /v2/models/net/infer HTTP/1.1\r\nHost: x\r\n"
                                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk));
                socket.getOutputStream().flush();
                String answer = RawClient.response(socket);
                assertTrue(answer.startsWith("HTTP/1.1 400"), chunk + " -> " + answer);
                assertTrue(answer.contains("malformed chunked request body: invalid chunk"), answer);
            }
        }
        assertStillServing();
    }

    @Test
    void headerFloodsWithinTheJdksLimitsAre431() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            many.append("X-Flood-").append(i).append(": v\r\n");
        }
        String large = "X-Large: " + "a".repeat(100_000) + "\r\n";
        String[][] cases = {
            {many.toString(), "the request has 151 header lines; this server takes at most 100"},
            {large, "this server takes at most 65536"}
        };
        for (String[] c : cases) {
            try (java.net.Socket socket = RawClient.connect(fixture.server.port(), java.time.Duration.ofSeconds(10))) {
                socket.getOutputStream()
                        .write(RawClient.ascii("GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n" + c[0] + "\r\n"));
                socket.getOutputStream().flush();
                String answer = RawClient.response(socket);
                assertTrue(answer.startsWith("HTTP/1.1 431"), answer.substring(0, Math.min(200, answer.length())));
                assertTrue(answer.contains(c[1]), answer);
            }
        }
        assertStillServing();
    }
}
