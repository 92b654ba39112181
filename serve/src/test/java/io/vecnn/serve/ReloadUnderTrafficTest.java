package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replacing a model while clients keep sending: no request fails, every answer is one model's or the other's,
 * and once the reload returns, answers are the new model's. Through the model repository endpoint (the server
 * rereads its file) and through {@link InferenceServer#reload} for embedded use.
 */
@Timeout(120)
class ReloadUnderTrafficTest {
    private static final int CLIENTS = 8;
    private static final int RELOADS = 5;
    private static final Shape INPUT = new Shape(3, 32, 32);
    private static final float[] IMAGE = RandomTensors.gaussian(new Random(7), (int) INPUT.size(), 1);

    private static float[] expected(ModelFile file) {
        try (Model model = Model.of(file, ForkJoinPool.commonPool())) {
            return model.run(IMAGE, 1);
        }
    }

    private static HttpResponse<byte[]> infer(ServerFixture f) {
        return f.inferBinary("tiny", IMAGE, INPUT);
    }

    private static boolean close(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-4f * Math.max(1, Math.abs(b[i]))) {
                return false;
            }
        }
        return a.length == b.length;
    }

    /** Counts of what the clients saw. */
    private record Traffic(AtomicLong sent, AtomicLong answered, List<String> failures) {
        Traffic() {
            this(new AtomicLong(), new AtomicLong(), java.util.Collections.synchronizedList(new ArrayList<>()));
        }

        /** Prints what {@code how} saw, then asserts that every request was answered and none failed. */
        void assertNothingLost(String how) {
            System.out.printf(
                    "reload under traffic (%s): %d sent, %d answered, %d failed, %d reloads%n",
                    how, sent.get(), answered.get(), failures.size(), RELOADS);
            assertEquals(List.of(), failures);
            assertEquals(sent.get(), answered.get());
        }
    }

    /** Runs {@code reloads} while {@link #CLIENTS} threads send requests; returns what they saw. */
    private static Traffic underTraffic(ServerFixture f, float[][] models, Runnable reloads) throws Exception {
        Traffic traffic = new Traffic();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> loops = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                loops.add(clients.submit(() -> {
                    // Bounded however the reloads go: 5000 requests or until they end.
                    for (int i = 0; i < 5000 && running.get(); i++) {
                        traffic.sent().incrementAndGet();
                        HttpResponse<byte[]> r = infer(f);
                        if (r.statusCode() != 200) {
                            traffic.failures().add(r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
                            continue;
                        }
                        float[] got = ServerFixture.logits(r);
                        if (Arrays.stream(models).noneMatch(m -> close(got, m))) {
                            traffic.failures().add("logits of neither model: " + Arrays.toString(got));
                            continue;
                        }
                        traffic.answered().incrementAndGet();
                    }
                    return null;
                }));
            }
            reloads.run();
        } finally {
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(60, TimeUnit.SECONDS);
            }
            clients.shutdown();
        }
        return traffic;
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void reloadingFromTheFileFiveTimesUnderTrafficLosesNoRequest(@TempDir Path dir) throws Exception {
        ModelFile a = SmallNets.tiny(101);
        ModelFile b = SmallNets.tiny(202);
        Path fileA = dir.resolve("a.vnn");
        Path fileB = dir.resolve("b.vnn");
        a.write(fileA);
        b.write(fileB);
        Path served = dir.resolve("tiny.vnn");
        Files.copy(fileA, served);
        float[][] expected = {expected(a), expected(b)};
        assertFalse(close(expected[0], expected[1]), "the two weight sets must answer differently");
        ServerConfig config = ServerConfig.defaults()
                .withBatching(BatchingConfig.dynamic(8, 1000))
                .withPort(0);
        InferenceServer server = InferenceServer.startFromFiles(config, Map.of("tiny", ModelSource.of(served, 1)));
        try (ServerFixture f = new ServerFixture(server)) {
            Traffic traffic = underTraffic(f, expected, () -> {
                for (int i = 1; i <= RELOADS; i++) {
                    pause();
                    copy(i % 2 == 1 ? fileB : fileA, served);
                    HttpResponse<byte[]> r = f.post("/v2/repository/models/tiny/load", "application/json", new byte[0]);
                    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
                    assertTrue(close(ServerFixture.logits(infer(f)), expected[i % 2]), "answers after reload " + i);
                }
                pause();
            });
            traffic.assertNothingLost("file");
            assertTrue(traffic.answered().get() > 100, "too little traffic to mean anything: " + traffic.answered());
            assertTrue(close(ServerFixture.logits(infer(f)), expected[1]), "the last reload loaded weights B");
            String metrics = new String(f.get("/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("vecnn_model_reloads_total{model=\"tiny\",result=\"ok\"} " + RELOADS), metrics);
        }
    }

    /** Worker threads of pools that models own ("vecnn-{pool}-{worker}"). */
    private static long modelPoolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().matches("vecnn-\\d+-\\d+"))
                .count();
    }

    /**
     * A model the server read from its file is the server's: replaced, it is closed once idle. Seen through its
     * pool's worker threads, which a closed model's pool lets go (the model is big enough to run on its pool).
     */
    @Test
    void replacedModelsTheServerLoadedAreClosed(@TempDir Path dir) throws Exception {
        Path served = dir.resolve("net.vnn");
        SmallNets.classifier(new io.vecnn.Shape(3, 64, 64), new int[] {32, 64}, 10, 3, Map.of())
                .write(served);
        long before = modelPoolThreads();
        InferenceServer server = InferenceServer.startFromFiles(
                ServerConfig.defaults().withPort(0), Map.of("net", ModelSource.of(served, 2)));
        try (ServerFixture f = new ServerFixture(server)) {
            assertTrue(modelPoolThreads() > before, "the warm-up run did not use the model's pool");
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        200,
                        f.post("/v2/repository/models/net/load", "application/json", new byte[0])
                                .statusCode());
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (modelPoolThreads() > before + 2 && System.nanoTime() < end) {
                pause();
            }
            assertTrue(
                    modelPoolThreads() <= before + 2,
                    modelPoolThreads() + " model pool threads alive, " + before
                            + " before the server started and 2 for the serving model: replaced models were not closed");
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void embeddedReloadSwapsModelsUnderTraffic() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        ModelFile a = SmallNets.tiny(101);
        ModelFile b = SmallNets.tiny(202);
        float[][] expected = {expected(a), expected(b)};
        List<Model> models = List.of(Model.of(a, pool), Model.of(b, pool));
        try (ServerFixture f = new ServerFixture(
                ServerConfig.defaults().withBatching(BatchingConfig.dynamic(8, 1000)), Map.of("tiny", models.get(0)))) {
            Traffic traffic = underTraffic(f, expected, () -> {
                for (int i = 1; i <= RELOADS; i++) {
                    pause();
                    f.server.reload("tiny", models.get(i % 2));
                    assertTrue(close(ServerFixture.logits(infer(f)), expected[i % 2]), "answers after reload " + i);
                }
                pause();
            });
            traffic.assertNothingLost("embedded");
            assertTrue(close(ServerFixture.logits(infer(f)), expected[1]));
            // The caller's models are never closed by the server.
            assertTrue(close(models.get(0).run(IMAGE, 1), expected[0]));
            try (Model otherShape = Model.of(
                    SmallNets.classifier(new io.vecnn.Shape(3, 32, 32), new int[] {8, 16}, 7, 1, Map.of()), pool)) {
                io.vecnn.VecnnException refused = org.junit.jupiter.api.Assertions.assertThrows(
                        io.vecnn.VecnnException.class, () -> f.server.reload("tiny", otherShape));
                assertTrue(refused.getMessage().contains("must keep both shapes"), refused.getMessage());
            }
            assertTrue(close(ServerFixture.logits(infer(f)), expected[1]), "the refused reload left the model serving");
            String metrics = new String(f.get("/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("vecnn_model_reloads_total{model=\"tiny\",result=\"ok\"} " + RELOADS), metrics);
            assertTrue(metrics.contains("vecnn_model_reloads_total{model=\"tiny\",result=\"failed\"} 1"), metrics);
            HttpResponse<byte[]> r = f.post("/v2/repository/models/tiny/load", "application/json", new byte[0]);
            assertEquals(400, r.statusCode());
            assertTrue(
                    ServerFixture.json(r).get("error").asText().contains("reload needs a file"), new String(r.body()));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFileThatFailsToLoadLeavesTheOldModelServing(@TempDir Path dir) throws Exception {
        ModelFile a = SmallNets.tiny(101);
        Path served = dir.resolve("tiny.vnn");
        a.write(served);
        float[] expectedA = expected(a);
        InferenceServer server = InferenceServer.startFromFiles(
                ServerConfig.defaults().withPort(0), Map.of("tiny", ModelSource.of(served, 1)));
        try (ServerFixture f = new ServerFixture(server)) {
            Files.write(served, "not a model".getBytes(StandardCharsets.UTF_8));
            HttpResponse<byte[]> r = f.post("/v2/repository/models/tiny/load", "application/json", new byte[0]);
            assertEquals(500, r.statusCode());
            String error = ServerFixture.json(r).get("error").asText();
            assertTrue(error.contains("previous model is still serving") && error.contains(served.toString()), error);
            assertTrue(close(ServerFixture.logits(infer(f)), expectedA));

            SmallNets.classifier(new io.vecnn.Shape(3, 32, 32), new int[] {8, 16}, 7, 1, Map.of())
                    .write(served);
            r = f.post("/v2/repository/models/tiny/load", "application/json", new byte[0]);
            assertEquals(500, r.statusCode());
            assertTrue(
                    ServerFixture.json(r).get("error").asText().contains("must keep both shapes"),
                    new String(r.body()));
            assertTrue(close(ServerFixture.logits(infer(f)), expectedA));

            r = f.post(
                    "/v2/repository/models/tiny/load",
                    "application/json",
                    "{\"parameters\":{\"file:/etc/passwd\":\"\"}}".getBytes(StandardCharsets.UTF_8));
            assertEquals(400, r.statusCode());
            assertEquals(
                    404,
                    f.post("/v2/repository/models/other/load", "application/json", new byte[0])
                            .statusCode());
            assertEquals(405, f.get("/v2/repository/models/tiny/load").statusCode());
            String metrics = new String(f.get("/metrics").body(), StandardCharsets.UTF_8);
            assertTrue(metrics.contains("vecnn_model_reloads_total{model=\"tiny\",result=\"failed\"} 2"), metrics);
        }
    }
}
