package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that misbehave below HTTP: each fault leaves the server answering good requests correctly, with
 * every handler thread back to idle within a bound, and the fault counted in /metrics where there is a request
 * to count. The read timeout is 1 s here, so the slow-client faults take seconds, not the default 30.
 */
@Timeout(60)
class ServerFaultsTest {
    private static final int HANDLERS = 4;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);
    private static final Shape SLOW_INPUT = new Shape(3, 160, 160);
    private static ForkJoinPool pool;
    private static Model tiny;
    private static Model slow;
    private static ServerFixture fixture;
    private static float[] image;
    private static float[] expected;

    @BeforeAll
    static void start() {
        pool = new ForkJoinPool(2);
        tiny = Model.of(SmallNets.tiny(31), pool);
        slow = Model.of(SmallNets.classifier(SLOW_INPUT, new int[] {64, 64, 64, 64}, 10, 5, Map.of()), pool);
        fixture = new ServerFixture(
                ServerConfig.defaults().withHandlerThreads(HANDLERS).withReadTimeout(READ_TIMEOUT),
                Map.of("tiny", tiny, "slow", slow));
        image = RandomTensors.gaussian(new Random(3), 3 * 32 * 32, 1);
        expected = tiny.run(image, 1);
    }

    @AfterAll
    static void stop() {
        fixture.close();
        tiny.close();
        slow.close();
        pool.shutdown();
    }

    /** After every fault: all handler threads idle again, and a good request answered with the right logits. */
    @AfterEach
    void serverRecovered() {
        awaitTrue(() -> fixture.server.busyHandlers() == 0, Duration.ofSeconds(10), "handler threads back to idle");
        assertGoodRequestAnswered();
        // A handler counts its request and goes idle just after its client has the answer: poll, briefly.
        awaitTrue(
                () -> metric("vecnn_http_handlers_busy") == 1.0,
                Duration.ofSeconds(5),
                "/metrics showing only the scrape itself busy");
    }

    private static void assertGoodRequestAnswered() {
        float[] logits = ServerFixture.logits(fixture.inferBinary("tiny", image, new Shape(3, 32, 32)));
        assertArrayEquals(expected, logits, 1e-5f);
    }

    /** The value of one series in /metrics, 0 when it has not appeared yet. */
    private static double metric(String series) {
        String text = new String(fixture.get("/metrics").body(), StandardCharsets.UTF_8);
        return text.lines()
                .filter(l -> l.startsWith(series + " "))
                .findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .orElse(0.0);
    }

    private static void awaitTrue(BooleanSupplier condition, Duration within, String what) {
        long end = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + within.toMillis() + " ms: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String inferHead(String model, int contentLength) {
        return "POST /v2/models/" + model + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    @Test
    void clientThatSendsPartOfTheBodyAndClosesIsCounted499() throws IOException {
        String series = "vecnn_requests_total{endpoint=\"v2_infer\",code=\"499\"}";
        double before = metric(series);
        try (Socket socket = RawClient.connect(fixture.server.port(), Duration.ofSeconds(5))) {
            OutputStream out = socket.getOutputStream();
            out.write(RawClient.ascii(inferHead("tiny", 1000)));
            out.write(RawClient.ascii("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3,32,32]"));
            out.flush();
        }
        awaitTrue(() -> metric(series) == before + 1, Duration.ofSeconds(5), "the cut-off request counted as 499");
    }

    @Test
    void clientThatClosesBeforeReadingTheAnswerDoesNotHoldAThread() throws IOException {
        int images = 8;
        float[] batch = RandomTensors.gaussian(new Random(5), images * (int) SLOW_INPUT.size(), 1);
        byte[] body = RawClient.binaryInfer(batch, images, 3, 160, 160);
        String head =
                "POST /v2/models/slow/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                        + V2Routes.BINARY_HEADER + ": " + RawClient.headerLength(body, batch.length) + "\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n";
        String ok = "vecnn_requests_total{endpoint=\"v2_infer\",code=\"200\"}";
        String gone = "vecnn_requests_total{endpoint=\"v2_infer\",code=\"499\"}";
        double before = metric(ok) + metric(gone);
        try (Socket socket = RawClient.connect(fixture.server.port(), Duration.ofSeconds(5))) {
            OutputStream out = socket.getOutputStream();
            out.write(RawClient.ascii(head));
            out.write(body);
            out.flush();
            awaitTrue(() -> fixture.server.busyHandlers() > 0, Duration.ofSeconds(5), "the request being handled");
        }
        // Whether writing the answer to the closed socket failed (499) or went into the kernel's buffer (200)
        // is up to TCP; either way the request is counted once and its thread returns.
        awaitTrue(
                () -> metric(ok) + metric(gone) == before + 1,
                Duration.ofSeconds(20),
                "the abandoned request counted as 200 or 499");
    }

    @Test
    void bodySentSlowerThanTheReadTimeoutIsAnswered408AndItsConnectionClosed() throws Exception {
        String series = "vecnn_requests_total{endpoint=\"v2_infer\",code=\"408\"}";
        double before = metric(series);
        try (Socket socket = RawClient.connect(fixture.server.port(), Duration.ofSeconds(10))) {
            OutputStream out = socket.getOutputStream();
            out.write(RawClient.ascii(inferHead("tiny", 1000)));
            out.flush();
            // At most 5 s of one byte per 100 ms: five times the read timeout, far from 1000 bytes.
            Thread trickle = trickle(out, RawClient.ascii(" ".repeat(50)));
            long start = System.nanoTime();
            assertEquals("HTTP/1.1 408", RawClient.status(socket));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 900 && millis < 4000, "answered after " + millis + " ms");
            assertTrue(RawClient.closedByServer(socket), "connection still open after the 408");
            trickle.join(10_000);
        }
        assertEquals(before + 1, metric(series));
    }

    /** A route that answers without reading the body still has the JDK drain it when the exchange ends. */
    @Test
    void bodyTrickledToARouteThatNeverReadsItDoesNotHoldAThread() throws Exception {
        try (Socket socket = RawClient.connect(fixture.server.port(), Duration.ofSeconds(10))) {
            OutputStream out = socket.getOutputStream();
            out.write(RawClient.ascii("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n"));
            out.flush();
            // At most 8 s of one byte per 100 ms, far from 1000 bytes.
            Thread trickle = trickle(out, RawClient.ascii(" ".repeat(80)));
            assertEquals("HTTP/1.1 200", RawClient.status(socket));
            awaitTrue(
                    () -> fixture.server.busyHandlers() == 0,
                    Duration.ofSeconds(4),
                    "the handler freed while the client still trickles a body nobody reads");
            trickle.join(10_000);
        }
    }

    @Test
    void slowlorisHeadsAreCutOffAndFreeTheirThreads() throws Exception {
        double before = metric("vecnn_header_timeouts_total");
        int clients = HANDLERS + 2;
        List<Socket> sockets = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                Socket socket = RawClient.connect(fixture.server.port(), Duration.ofSeconds(10));
                sockets.add(socket);
                byte[] head = RawClient.ascii(
                        "POST /v2/models/tiny/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(200));
                // A header byte every 100 ms, never the blank line that ends the head; 10 s at most.
                senders.add(trickle(socket.getOutputStream(), head));
            }
            awaitTrue(
                    () -> fixture.server.busyHandlers() == HANDLERS,
                    Duration.ofSeconds(5),
                    "slowloris clients holding every handler thread");
            for (Socket socket : sockets) {
                assertTrue(RawClient.closedByServer(socket), "slowloris connection still open after 10 s");
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
            for (Thread sender : senders) {
                sender.join(15_000);
            }
        }
        assertEquals(before + clients, metric("vecnn_header_timeouts_total"));
    }

    /** Starts a thread writing {@code bytes} to {@code out} one per 100 ms, until the server closes the connection. */
    private static Thread trickle(OutputStream out, byte[] bytes) {
        Thread trickle = new Thread(() -> {
            try {
                for (byte b : bytes) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // The server closed the connection, as it should.
            }
        });
        trickle.start();
        return trickle;
    }

    @Test
    void idleConnectionsHoldNoThreads() throws IOException {
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                idle.add(RawClient.connect(fixture.server.port(), Duration.ofSeconds(5)));
            }
            assertGoodRequestAnswered();
            awaitTrue(() -> fixture.server.busyHandlers() == 0, Duration.ofSeconds(2), "no handler thread busy");
            int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
            assertTrue(
                    threadsAfter <= threadsBefore + HANDLERS,
                    "threads grew from " + threadsBefore + " to " + threadsAfter + " with 300 idle connections");
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }
}
