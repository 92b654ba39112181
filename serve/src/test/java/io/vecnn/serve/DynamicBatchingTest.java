package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests arriving together run as one batch and each gets its own slice back; a full queue refuses with 503
 * and Retry-After; an overdue request in a batch fails alone; shutdown drains requests in flight.
 */
class DynamicBatchingTest {
    private static final Shape INPUT = new Shape(3, 32, 32);

    private static Model model(ForkJoinPool pool) {
        return Model.of(SmallNets.tiny(11), pool);
    }

    /** A model slow enough (≈ 10–50 ms per image) that requests pile up behind it. */
    private static Model slowModel(ForkJoinPool pool) {
        ModelFile f = SmallNets.classifier(new Shape(3, 160, 160), new int[] {64, 64, 64, 64}, 10, 5, Map.of());
        return Model.of(f, pool);
    }

    private static float[] image(long seed, int values) {
        return RandomTensors.gaussian(new Random(seed), values, 1);
    }

    @Test
    void concurrentRequestsShareBatchesAndGetTheirOwnResults() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model model = model(pool);
                ServerFixture f = new ServerFixture(
                        ServerConfig.defaults().withBatching(BatchingConfig.dynamic(8, 50_000)),
                        Map.of("tiny", model))) {
            int clients = 16;
            ExecutorService threads = Executors.newFixedThreadPool(clients);
            List<Future<float[]>> answers = new ArrayList<>();
            List<float[]> inputs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                float[] x = image(i, (int) INPUT.size());
                inputs.add(x);
                answers.add(threads.submit(() -> {
                    HttpResponse<byte[]> r = f.inferBinary("tiny", x, INPUT);
                    assertEquals(200, r.statusCode(), new String(r.body()));
                    return ServerFixture.logits(r);
                }));
            }
            for (int i = 0; i < clients; i++) {
                float[] got = answers.get(i).get();
                float[] alone = model.run(inputs.get(i), 1);
                for (int k = 0; k < alone.length; k++) {
                    // Batched and single runs may block the GEMMs differently: equal to float rounding.
                    assertEquals(
                            alone[k], got[k], 1e-5f * Math.max(1, Math.abs(alone[k])), "client " + i + " logit " + k);
                }
            }
            threads.shutdown();
            String metrics = new String(f.get("/metrics").body(), StandardCharsets.UTF_8);
            double sum = value(metrics, "vecnn_batch_size_sum{model=\"tiny\"}");
            double count = value(metrics, "vecnn_batch_size_count{model=\"tiny\"}");
            // 16 requests and a warm-up run outside the batcher: fewer batches than requests means batching happened.
            assertEquals(clients, sum, 0.0, metrics);
            assertTrue(count < clients, "batches: " + count + " for " + clients + " requests");
        } finally {
            pool.shutdown();
        }
    }

    private static double value(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError(series + " not in\n" + metrics);
    }

    /**
     * The instance thread is held inside its first batch (a runner that waits for a latch), so the queue's
     * state is known rather than raced for: two requests wait, the third is refused with 503 and Retry-After,
     * and once the batch is released every accepted request and a later one are answered.
     */
    @Test
    void fullQueueAnswers503WithRetryAfterAndTheRestSucceed() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model = model(pool)) {
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            DynamicBatcher.BatchRunner held = (x, n, out, timeout) -> {
                running.countDown();
                try {
                    assertTrue(release.await(30, TimeUnit.SECONDS), "never released");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                model.run(x, n, out, timeout);
            };
            DynamicBatcher batcher = new DynamicBatcher(
                    "tiny", model, held, new BatchingConfig(1, Duration.ZERO, 2, 1), new ServerMetrics());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<CompletableFuture<float[]>> accepted = new ArrayList<>();
            accepted.add(batcher.submit(image(0, (int) INPUT.size()), 1, deadline));
            assertTrue(running.await(30, TimeUnit.SECONDS), "the first batch never started");
            accepted.add(batcher.submit(image(1, (int) INPUT.size()), 1, deadline));
            accepted.add(batcher.submit(image(2, (int) INPUT.size()), 1, deadline));
            HttpError refused =
                    assertThrows(HttpError.class, () -> batcher.submit(image(3, (int) INPUT.size()), 1, deadline));
            assertEquals(503, refused.status());
            assertEquals(1, refused.retryAfterSeconds());
            assertTrue(refused.getMessage().contains("2 requests waiting"), refused.getMessage());
            release.countDown();
            for (int i = 0; i < accepted.size(); i++) {
                assertArrayEquals(
                        model.run(image(i, (int) INPUT.size()), 1),
                        accepted.get(i).get(30, TimeUnit.SECONDS),
                        "request " + i);
            }
            assertEquals(
                    10,
                    batcher.submit(image(4, (int) INPUT.size()), 1, deadline).get(30, TimeUnit.SECONDS).length);
            batcher.close();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void anOverdueRequestFailsAloneInItsBatch() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        ServerMetrics metrics = new ServerMetrics();
        try (Model model = model(pool)) {
            DynamicBatcher batcher =
                    new DynamicBatcher("tiny", model, new BatchingConfig(8, Duration.ofMillis(100), 16, 1), metrics);
            long now = System.nanoTime();
            List<CompletableFuture<float[]>> good = new ArrayList<>();
            good.add(batcher.submit(
                    image(1, (int) INPUT.size()),
                    1,
                    now + Duration.ofSeconds(10).toNanos()));
            CompletableFuture<float[]> overdue = batcher.submit(image(2, (int) INPUT.size()), 1, now - 1);
            good.add(batcher.submit(
                    image(3, (int) INPUT.size()),
                    1,
                    now + Duration.ofSeconds(10).toNanos()));
            for (int i = 0; i < good.size(); i++) {
                assertEquals(10, good.get(i).get().length);
            }
            var e = assertThrows(java.util.concurrent.ExecutionException.class, overdue::get);
            assertTrue(
                    e.getCause() instanceof HttpError h && h.status() == 503,
                    e.getCause().toString());
            batcher.close();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void shutdownDrainsRequestsInFlight() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(1);
        Shape shape = new Shape(3, 160, 160);
        try (Model model = slowModel(pool)) {
            ServerFixture f = new ServerFixture(ServerConfig.defaults(), Map.of("slow", model));
            ExecutorService threads = Executors.newFixedThreadPool(4);
            List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                float[] x = image(i, (int) shape.size());
                answers.add(threads.submit(() -> f.inferBinary("slow", x, shape)));
            }
            Thread.sleep(50);
            f.server.stop(Duration.ofSeconds(30));
            for (Future<HttpResponse<byte[]>> a : answers) {
                HttpResponse<byte[]> r;
                try {
                    r = a.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    // A request that had not reached the server before its listener closed never started.
                    assertTrue(e.getCause() instanceof AssertionError, e.toString());
                    continue;
                }
                assertEquals(200, r.statusCode(), "a request the server accepted is answered: " + new String(r.body()));
            }
            threads.shutdown();
        } finally {
            pool.shutdown();
        }
    }
}
