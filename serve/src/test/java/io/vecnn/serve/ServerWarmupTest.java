package io.vecnn.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.WarmupReport;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.GatedPool;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Warm before ready: the server is live as soon as it listens, reports ready only once its models have warmed
 * up (503 "warming up" before), exposes the time that took, and warms a reloaded model before it serves.
 * The warm-ups are held at a {@link GatedPool} so that "before" is a state, not a race.
 */
class ServerWarmupTest {
    /** Large enough (about 22 M multiply-adds) that a run at batch 1 hands itself to the pool. */
    private static final Shape INPUT = new Shape(3, 64, 64);

    private static final float[] IMAGE = RandomTensors.gaussian(new Random(5), (int) INPUT.size(), 1);

    private static ModelFile net(long seed) {
        return SmallNets.classifier(INPUT, new int[] {32, 64}, 10, seed, Map.of());
    }

    @Test
    void readyOnlyAfterTheWarmUpLiveThroughout() throws Exception {
        GatedPool pool = new GatedPool();
        try (Model model = Model.of(net(1), pool)) {
            pool.holdEveryRun();
            InferenceServer server = InferenceServer.start(
                    ServerConfig.defaults().withPort(0).withWarmup(Duration.ofSeconds(60)), Map.of("net", model));
            try (ServerFixture f = ServerFixture.warmingUp(server)) {
                pool.awaitHeld();
                assertFalse(server.isReady());
                assertTrue(server.timeToReady().isEmpty());
                assertEquals(200, f.get("/v2/health/live").statusCode());
                assertTrue(
                        ServerFixture.json(f.get("/v2/health/live")).get("live").asBoolean());
                assertNotReady(f.get("/v2/health/ready"));
                assertNotReady(f.get("/v2/models/net/ready"));
                assertNotReady(f.get("/v2/models/net/versions/1/ready"));
                HttpResponse<byte[]> health = f.get("/healthz");
                assertEquals(503, health.statusCode());
                assertEquals(
                        "warming up", ServerFixture.json(health).get("status").asText());
                assertEquals(
                        "net", ServerFixture.json(health).get("models").get(0).asText(), "still lists its models");
                assertFalse(metrics(f).contains("vecnn_time_to_ready_seconds"), "no time to ready before ready");

                pool.open();
                assertTrue(server.awaitReady(Duration.ofSeconds(120)));
                assertTrue(server.isReady());
                assertEquals(200, f.get("/v2/health/live").statusCode());
                HttpResponse<byte[]> ready = f.get("/v2/health/ready");
                assertEquals(200, ready.statusCode());
                assertTrue(ServerFixture.json(ready).get("ready").asBoolean());
                assertFalse(ServerFixture.json(ready).has("reason"));
                assertEquals(200, f.get("/v2/models/net/ready").statusCode());
                assertEquals(
                        "ok",
                        ServerFixture.json(f.get("/healthz")).get("status").asText());

                Matcher gauge = Pattern.compile("(?m)^vecnn_time_to_ready_seconds ([0-9.]+)$")
                        .matcher(metrics(f));
                assertTrue(gauge.find(), metrics(f));
                assertTrue(Double.parseDouble(gauge.group(1)) > 0);
                assertTrue(metrics(f).contains("# TYPE vecnn_time_to_ready_seconds gauge"));
                assertTrue(server.timeToReady().orElseThrow().toNanos() > 0);
                WarmupReport report = server.warmup("net").orElseThrow();
                assertEquals(List.of(1), report.batchSizes(), "batching off: the batcher only forms batches of 1");
                assertTrue(report.runs() > 0, report.summary());

                server.stop(Duration.ofSeconds(5));
                assertFalse(server.isReady(), "a stopping server is not ready");
                assertFalse(server.awaitReady(Duration.ofSeconds(1)));
            }
        } finally {
            pool.open();
            pool.shutdown();
        }
    }

    @Test
    void theWarmUpCoversTheBatchSizesTheBatcherForms() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model = Model.of(SmallNets.tiny(1), pool);
                ServerFixture f = new ServerFixture(
                        ServerConfig.defaults().withBatching(BatchingConfig.dynamic(12, 500)), Map.of("tiny", model))) {
            assertEquals(
                    List.of(1, 2, 4, 8, 12),
                    f.server.warmup("tiny").orElseThrow().batchSizes());
            assertEquals(200, f.get("/v2/health/ready").statusCode());
        } finally {
            pool.shutdown();
        }
        assertArrayEquals(new int[] {1}, DynamicBatcher.batchSizes(1));
        assertArrayEquals(new int[] {1, 2, 4, 8}, DynamicBatcher.batchSizes(8));
    }

    @Test
    void zeroWarmUpIsReadyAtOnce() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model = Model.of(SmallNets.tiny(1), pool)) {
            InferenceServer server = InferenceServer.start(
                    ServerConfig.defaults().withPort(0).withWarmup(Duration.ZERO), Map.of("tiny", model));
            try (ServerFixture f = ServerFixture.warmingUp(server)) {
                assertTrue(server.isReady(), "ready when start returns");
                assertEquals(200, f.get("/v2/health/ready").statusCode());
                assertTrue(server.warmup("tiny").isEmpty());
                assertTrue(metrics(f).contains("vecnn_time_to_ready_seconds"));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aReloadedModelWarmsUpBeforeItReplacesTheOld() throws Exception {
        ForkJoinPool oldPool = new ForkJoinPool(2);
        GatedPool newPool = new GatedPool();
        try (Model old = Model.of(net(1), oldPool);
                Model replacement = Model.of(net(2), newPool);
                ServerFixture f = new ServerFixture(ServerConfig.defaults(), Map.of("net", old))) {
            float[] oldAnswer = old.run(IMAGE, 1);
            float[] newAnswer = replacement.run(IMAGE, 1);
            WarmupReport first = f.server.warmup("net").orElseThrow();
            newPool.holdEveryRun();
            CompletableFuture<Void> reload = CompletableFuture.runAsync(() -> f.server.reload("net", replacement));
            newPool.awaitHeld();
            // The replacement is warming up: the old model answers, and the server stays ready.
            assertArrayEquals(oldAnswer, ServerFixture.logits(f.inferBinary("net", IMAGE, INPUT)), 1e-5f);
            assertEquals(200, f.get("/v2/health/ready").statusCode());
            assertFalse(reload.isDone());
            assertEquals(first, f.server.warmup("net").orElseThrow());

            newPool.open();
            reload.get(120, TimeUnit.SECONDS);
            assertArrayEquals(newAnswer, ServerFixture.logits(f.inferBinary("net", IMAGE, INPUT)), 1e-5f);
            WarmupReport second = f.server.warmup("net").orElseThrow();
            assertNotSame(first, second);
            assertTrue(second.runs() > 0, second.summary());
        } finally {
            newPool.open();
            newPool.shutdown();
            oldPool.shutdown();
        }
    }

    @Test
    void theRepositoryLoadAnswersWithTheWarmUp(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.vnn");
        SmallNets.tiny(3).write(file);
        InferenceServer server = InferenceServer.startFromFiles(
                ServerConfig.defaults().withPort(0), Map.of("tiny", ModelSource.of(file, 1)));
        try (ServerFixture f = new ServerFixture(server)) {
            HttpResponse<byte[]> r = f.post("/v2/repository/models/tiny/load", "application/json", new byte[0]);
            assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            JsonNode body = ServerFixture.json(r);
            assertTrue(body.get("warmup_ms").asDouble() > 0, body.toString());
            assertTrue(body.get("load_ms").asDouble() >= body.get("warmup_ms").asDouble(), body.toString());
            assertTrue(body.has("warmup_settled"), body.toString());
        }
    }

    private static void assertNotReady(HttpResponse<byte[]> r) {
        assertEquals(503, r.statusCode());
        JsonNode body = ServerFixture.json(r);
        assertFalse(body.get("ready").asBoolean(), body.toString());
        assertEquals("warming up", body.get("reason").asText(), body.toString());
    }

    private static String metrics(ServerFixture f) {
        return new String(f.get("/metrics").body(), StandardCharsets.UTF_8);
    }
}
