package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batcher survives what a batch throws: an injected {@link OutOfMemoryError} fails that batch's requests
 * with 503 and a message, readiness says why until a probe succeeds, and the next request gets the right
 * logits; a model that keeps failing is reported dead. Batches run only as the prepared batch sizes.
 */
@Timeout(60)
class DynamicBatcherFaultTest {
    private static final Shape INPUT = new Shape(3, 32, 32);

    private static Model model(ForkJoinPool pool) {
        return Model.of(SmallNets.classifier(INPUT, new int[] {8, 16}, 10, 3, Map.of()), pool);
    }

    private static float[] images(int n, long seed) {
        return RandomTensors.gaussian(new Random(seed), n * (int) INPUT.size(), 1);
    }

    private static long deadline() {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    }

    private static HttpError failure(CompletableFuture<float[]> result) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(30, TimeUnit.SECONDS));
        return assertInstanceOfHttpError(e.getCause());
    }

    private static HttpError assertInstanceOfHttpError(Throwable t) {
        assertTrue(t instanceof HttpError, "not an HttpError: " + t);
        return (HttpError) t;
    }

    @Test
    void anOutOfMemoryErrorFailsItsBatchThenTheBatcherRecovers() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model model = model(pool)) {
            AtomicInteger failuresLeft = new AtomicInteger(1);
            DynamicBatcher.BatchRunner runner = (x, n, out, timeout) -> {
                if (failuresLeft.getAndDecrement() > 0) {
                    throw new OutOfMemoryError("Java heap space (injected)");
                }
                model.run(x, n, out, timeout);
            };
            ServerMetrics metrics = new ServerMetrics();
            DynamicBatcher batcher = new DynamicBatcher("net", model, runner, BatchingConfig.NONE, metrics);
            try {
                HttpError error = failure(batcher.submit(images(2, 1), 2, deadline()));
                assertEquals(503, error.status());
                assertEquals(1, error.retryAfterSeconds());
                assertTrue(
                        error.getMessage().contains("ran out of memory running a batch of 2 images"),
                        error.getMessage());
                // The probe after the failure runs at once and succeeds: healthy again, and answering right.
                float[] x = images(3, 2);
                assertArrayEquals(
                        model.run(x, 3), batcher.submit(x, 3, deadline()).get(30, TimeUnit.SECONDS));
                assertNull(batcher.unhealthy());
                assertFalse(batcher.dead());
                assertTrue(
                        metrics.render()
                                .contains("vecnn_batch_failures_total{model=\"net\",cause=\"out_of_memory\"} 1"),
                        metrics.render());
            } finally {
                batcher.close();
            }
        }
    }

    @Test
    void aModelThatKeepsFailingIsUnhealthyThenDeadAndStillAnswersEveryRequest() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Model model = model(pool)) {
            DynamicBatcher.BatchRunner runner = (x, n, out, timeout) -> {
                throw new StackOverflowError("injected");
            };
            DynamicBatcher batcher = new DynamicBatcher("net", model, runner, BatchingConfig.NONE, new ServerMetrics());
            try {
                HttpError first = failure(batcher.submit(images(1, 1), 1, deadline()));
                assertEquals(500, first.status());
                assertTrue(first.getMessage().contains("StackOverflowError"), first.getMessage());
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!batcher.dead() && System.nanoTime() < until) {
                    Thread.sleep(20);
                }
                assertTrue(batcher.dead(), "dead after " + DynamicBatcher.PROBES_BEFORE_DEAD + " failed probes");
                assertTrue(batcher.unhealthy().contains("failed a batch with StackOverflowError"), batcher.unhealthy());
                // Requests still get an answer, not a hang: the thread is alive.
                assertEquals(
                        500,
                        failure(batcher.submit(images(1, 2), 1, deadline())).status());
            } finally {
                batcher.close();
            }
        }
    }

    @Test
    void batchesRunOnlyAsThePreparedSizes() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model model = model(pool)) {
            List<Integer> ran = new ArrayList<>();
            DynamicBatcher.BatchRunner runner = (x, n, out, timeout) -> {
                synchronized (ran) {
                    ran.add(n);
                }
                model.run(x, n, out, timeout);
            };
            BatchingConfig config = new BatchingConfig(16, Duration.ZERO, 16, 1);
            DynamicBatcher batcher = new DynamicBatcher("net", model, runner, config, new ServerMetrics());
            try {
                float[] x = images(27, 7);
                assertArrayEquals(
                        model.run(x, 27), batcher.submit(x, 27, deadline()).get(30, TimeUnit.SECONDS), 1e-6f);
                assertEquals(List.of(16, 8, 2, 1), ran);
            } finally {
                batcher.close();
            }
        }
    }

    @Test
    void everyBatchSizeSplitsIntoPreparedSizesThatSumToIt() {
        for (int max : new int[] {1, 5, 8, 12, 64}) {
            int[] sizes = DynamicBatcher.batchSizes(max);
            assertEquals(1, sizes[0]);
            assertEquals(max, sizes[sizes.length - 1]);
            for (int images = 1; images <= 3 * max + 1; images++) {
                int[] parts = DynamicBatcher.split(images, sizes);
                int sum = 0;
                for (int p : parts) {
                    sum += p;
                    int part = p;
                    assertTrue(java.util.Arrays.stream(sizes).anyMatch(s -> s == part), p + " is not prepared");
                }
                assertEquals(images, sum, "max " + max + ", " + images + " images");
                assertTrue(parts.length <= images / max + sizes.length, "few parts for " + images);
            }
        }
    }
}
