package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minutes of mixed traffic — good requests, bad JSON, wrong content types — against one server with
 * batching on, sampling the heap after a GC every few seconds: it must stay flat. Not in every CI run:
 * {@code mvn -pl runtime test -Psoak} (minutes via {@code -Dvecnn.soak.minutes=3}).
 */
@Tag("soak")
class ServerSoakTest {

    @Test
    void heapStaysFlatUnderMinutesOfMixedTraffic() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("vecnn.soak.minutes", "3"));
        long end = System.nanoTime() + (long) (minutes * 60e9);
        ForkJoinPool pool = new ForkJoinPool(2);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (Model model = Model.of(SmallNets.tiny(21), pool);
                ServerFixture f = new ServerFixture(
                        ServerConfig.defaults().withBatching(BatchingConfig.dynamic(8, 1000)), Map.of("tiny", model))) {
            float[] x = RandomTensors.gaussian(new Random(1), 3 * 32 * 32, 1);
            StringBuilder data = new StringBuilder();
            for (float v : x) {
                data.append(data.length() == 0 ? "" : ",").append(v);
            }
            byte[] good = ("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32],\"datatype\":\"FP32\",\"data\":["
                            + data + "]}]}")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] bad = "{\"inputs\":[{".getBytes(StandardCharsets.UTF_8);
            AtomicLong ok = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    for (long i = 0; System.nanoTime() < end; i++) {
                        HttpResponse<byte[]> r = switch ((int) ((i + client) % 10)) {
                            case 0 -> f.post("/v2/models/tiny/infer", "application/json", bad);
                            case 1 -> f.post("/v1/models/tiny:predict", "text/plain", bad);
                            default -> f.post("/v2/models/tiny/infer", "application/json", good);
                        };
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            assertTrue(r.statusCode() == 400 || r.statusCode() == 415, "status " + r.statusCode());
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            List<Long> heap = new ArrayList<>();
            while (System.nanoTime() < end) {
                Thread.sleep(5000);
                System.gc();
                heap.add(memory.getHeapMemoryUsage().getUsed());
            }
            for (Future<?> r : running) {
                r.get();
            }
            clients.shutdown();
            int third = Math.max(1, heap.size() / 3);
            long early = heap.subList(0, third).stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElseThrow();
            long late = heap.subList(heap.size() - third, heap.size()).stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElseThrow();
            System.out.printf(
                    "soak: %.1f min, %d answered, %d refused as expected, heap after GC (MB): %s%n",
                    minutes,
                    ok.get(),
                    refused.get(),
                    heap.stream().map(b -> String.valueOf(b >> 20)).toList());
            assertTrue(ok.get() > 0);
            assertTrue(
                    late <= early + early / 5 + (8 << 20),
                    "heap grew from " + (early >> 20) + " MB to " + (late >> 20) + " MB");
            assertEquals(
                    200,
                    f.post("/v2/models/tiny/infer", "application/json", good).statusCode());
        } finally {
            pool.shutdown();
        }
    }
}
