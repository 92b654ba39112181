package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests running at once are each counted under their own endpoint. The endpoint name once lived in the
 * exchange's attributes, which the JDK's server shares across every request of a context, so concurrent
 * requests overwrote each other's name.
 */
@Timeout(60)
class ConcurrentMetricsTest {

    @Test
    void concurrentRequestsAreCountedUnderTheirOwnEndpoints() throws Exception {
        int clients = 8;
        int perClient = 50;
        ForkJoinPool pool = new ForkJoinPool(1);
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try (Model model = Model.of(SmallNets.tiny(1), pool);
                ServerFixture f =
                        new ServerFixture(ServerConfig.defaults().withHandlerThreads(clients), Map.of("tiny", model))) {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                running.add(threads.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        String path = (i + client) % 2 == 0 ? "/healthz" : "/v2/health/live";
                        assertEquals(200, f.get(path).statusCode());
                    }
                    return null;
                }));
            }
            for (Future<?> r : running) {
                r.get(50, TimeUnit.SECONDS);
            }
            int each = clients * perClient / 2;
            String healthz = "vecnn_requests_total{endpoint=\"healthz\",code=\"200\"} " + each + "\n";
            String live = "vecnn_requests_total{endpoint=\"v2_health_live\",code=\"200\"} " + each + "\n";
            // A handler counts its request just after its client has the answer: give the last ones a moment.
            String metrics = "";
            for (int poll = 0; poll < 100 && !(metrics.contains(healthz) && metrics.contains(live)); poll++) {
                Thread.sleep(20);
                metrics = new String(f.get("/metrics").body(), StandardCharsets.UTF_8);
            }
            assertTrue(metrics.contains(healthz) && metrics.contains(live), metrics);
        } finally {
            threads.shutdown();
            pool.shutdown();
        }
    }
}
