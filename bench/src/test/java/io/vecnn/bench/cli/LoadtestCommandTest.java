package io.vecnn.bench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.vecnn.Model;
import io.vecnn.bench.load.TinyModel;
import io.vecnn.serve.InferenceServer;
import io.vecnn.serve.ServerConfig;
import io.vecnn.tools.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vecnn loadtest} end to end against a tiny model: what it reports, not how fast the server is. */
@Timeout(60)
class LoadtestCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void servesInProcessAndReportsEachBatchingConfiguration() throws Exception {
        Path model = TinyModel.write(dir.resolve("tiny.vnn"));
        Path json = dir.resolve("load.json");
        CliRun out = CliRun.vecnn(
                "loadtest",
                "--serve",
                model.toString(),
                "--clients",
                "8",
                "--max-batch",
                "1,8",
                "--max-delay-us",
                "5000",
                "--threads",
                "1",
                "--warmup",
                "300ms",
                "--duration",
                "1s",
                "--json",
                json.toString(),
                "--markdown");
        assertEquals(0, out.exit(), out.text());

        JsonNode report = JSON.readTree(json.toFile());
        assertEquals("vecnn-loadtest/1", report.get("schema").asText());
        assertEquals("tiny", report.get("target").get("model").asText());
        assertEquals(8, report.get("settings").get("clients").asInt());
        assertEquals("v2-binary", report.get("settings").get("payload").asText());
        JsonNode results = report.get("results");
        assertEquals(2, results.size());
        for (JsonNode r : results) {
            assertTrue(r.get("requests").asLong() > 0, r.toString());
            assertEquals(r.get("requests").asLong(), r.get("ok").asLong(), r.toString());
            assertTrue(r.get("errors").isEmpty(), r.toString());
            assertTrue(r.get("requests_per_second").asDouble() > 0, r.toString());
            JsonNode l = r.get("latency_ms");
            assertTrue(
                    0 < l.get("p50").asDouble()
                            && l.get("p50").asDouble() <= l.get("p90").asDouble()
                            && l.get("p90").asDouble() <= l.get("p99").asDouble()
                            && l.get("p99").asDouble() <= l.get("p999").asDouble()
                            && l.get("p999").asDouble() <= l.get("max").asDouble(),
                    l.toString());
        }
        assertEquals(1, results.get(0).get("server").get("max_batch").asInt());
        assertEquals(1.0, results.get(0).get("mean_batch_size").asDouble(), 1e-9);
        assertEquals(8, results.get(1).get("server").get("max_batch").asInt());
        assertTrue(
                results.get(1).get("mean_batch_size").asDouble() > 1,
                results.get(1).toString());
        assertTrue(out.out().contains("batch≤8 5000µs 1i 1t"), out.out());
        assertTrue(out.out().contains("| batch≤1 5000µs 1i 1t | 8 |"), out.out());
    }

    @Test
    void loadsARunningServerWithEveryPayload() throws Exception {
        Path model = TinyModel.write(dir.resolve("tiny.vnn"));
        Path png = dir.resolve("noise.png");
        BufferedImage image = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 400; i++) {
            image.setRGB(i % 20, i / 20, i * 40503);
        }
        ImageIO.write(image, "png", png.toFile());
        try (Model loaded = Model.load(model, 1)) {
            InferenceServer server =
                    InferenceServer.start(ServerConfig.defaults().withPort(0), Map.of("tiny", loaded));
            try {
                for (String payload : new String[] {"v2-json", "v2-binary", "npy", "image"}) {
                    Path json = dir.resolve(payload + ".json");
                    boolean imagePayload = payload.equals("image");
                    // The other payloads go to the URL with a trailing slash, which must make no difference.
                    List<String> args = new ArrayList<>(List.of(
                            "loadtest", "--url", imagePayload ? server.uri().toString() : server.uri() + "/"));
                    args.addAll(
                            imagePayload
                                    ? List.of("--payload", payload, "--image", png.toString())
                                    : List.of("--payload", payload, "--images-per-request", "2"));
                    args.addAll(
                            List.of("--clients", "2", "--warmup", "0s", "--requests", "40", "--json", json.toString()));
                    CliRun out = CliRun.vecnn(args.toArray());
                    assertEquals(0, out.exit(), payload + ": " + out.text());
                    JsonNode result =
                            JSON.readTree(json.toFile()).get("results").get(0);
                    assertEquals(40, result.get("ok").asLong(), payload + ": " + result);
                    assertTrue(result.get("server").isNull(), result.toString());
                    assertEquals(
                            imagePayload ? 1.0 : 2.0,
                            result.get("images_per_second").asDouble()
                                    / result.get("requests_per_second").asDouble(),
                            1e-9);
                }

                CliRun unknown = CliRun.vecnn(
                        "loadtest", "--url", server.uri().toString(), "--model", "nope", "--duration", "1s");
                assertEquals(1, unknown.exit(), unknown.text());
                assertTrue(unknown.err().contains("has no model 'nope'"), unknown.err());
            } finally {
                // The shortest drain: on JDK 17 the HTTP server waits out the whole drain even when idle.
                server.stop(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void errorAnswersAreCountedByStatusAndTheRunStillSucceeds() throws Exception {
        HttpServer fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        AtomicInteger infers = new AtomicInteger();
        fake.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            int status;
            String body;
            if (path.equals("/v2/models/m")) {
                status = 200;
                body = "{\"name\":\"m\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,1,2,2]}]}";
            } else if (path.equals("/v2/models/m/infer")) {
                boolean refuse = infers.incrementAndGet() % 2 == 0;
                status = refuse ? 503 : 200;
                body = refuse ? "{\"error\":\"queue full\"}" : "{}";
            } else {
                status = 404;
                body = "{\"error\":\"no such endpoint\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        fake.start();
        try {
            Path json = dir.resolve("errors.json");
            CliRun out = CliRun.vecnn(
                    "loadtest",
                    "--url",
                    "http://127.0.0.1:" + fake.getAddress().getPort(),
                    "--model",
                    "m",
                    "--clients",
                    "1",
                    "--warmup",
                    "0s",
                    "--requests",
                    "20",
                    "--json",
                    json.toString());
            assertEquals(0, out.exit(), out.text());
            JsonNode result = JSON.readTree(json.toFile()).get("results").get(0);
            assertEquals(20, result.get("requests").asLong(), result.toString());
            assertEquals(10, result.get("ok").asLong(), result.toString());
            assertEquals(10, result.get("errors").get("503").asLong(), result.toString());
            assertEquals("503: queue full", result.get("first_error").asText());
            assertTrue(result.get("mean_batch_size").isNull(), "a server without /metrics has no batch size");
            assertTrue(out.out().contains("errors: 10× 503; first: 503: queue full"), out.out());
        } finally {
            fake.stop(0);
        }
    }

    @Test
    void anUnreachableServerIsASetupFailureInOneLine() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        CliRun out = CliRun.vecnn(
                "loadtest", "--url", "http://127.0.0.1:" + port, "--model", "m", "--duration", "1s", "--timeout", "2s");
        assertEquals(1, out.exit(), out.text());
        assertEquals(
                "vecnn loadtest: error: cannot connect to http://127.0.0.1:" + port
                        + " (connection refused); is the server running?",
                out.err().strip());
    }

    @Test
    void serverOptionsWithAUrlAreAUsageError() {
        CliRun out = CliRun.vecnn("loadtest", "--url", "http://127.0.0.1:1", "--max-batch", "8");
        assertEquals(2, out.exit(), out.text());
        assertTrue(out.err().contains("--max-batch sets up the in-process server"), out.err());
        CliRun both = CliRun.vecnn("loadtest", "--duration", "5s");
        assertEquals(2, both.exit(), both.text());
    }
}
