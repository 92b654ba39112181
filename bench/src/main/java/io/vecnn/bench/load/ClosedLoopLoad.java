package io.vecnn.bench.load;

import io.vecnn.bench.run.BenchProgress;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one configuration's load: {@code clients} threads, each with its own HTTP/1.1 connection, sending
 * the same request back to back, so exactly {@code clients} requests are in flight at any time. A request
 * counts when it is sent after warm-up (and, with a duration, before it ends); throughput divides the
 * successful ones by the time from the end of warm-up to the last answer.
 */
public final class ClosedLoopLoad {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long STATUS_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** A refused connection fails at once; retrying without a pause would only measure this loop. */
    private static final long CONNECTION_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LoadSettings settings;
    private final ServerProbe probe;
    private final BenchProgress progress;

    public ClosedLoopLoad(LoadSettings settings, ServerProbe probe, BenchProgress progress) {
        this.settings = settings;
        this.probe = probe;
        this.progress = progress;
    }

    /**
     * Loads {@code target} with {@code request} and measures it.
     *
     * @param server the in-process server's setup, recorded in the result; null for a server at a URL
     * @param label  what the progress lines call this configuration
     */
    public LoadResult run(ModelTarget target, HttpRequest request, ServedConfig server, String label) {
        long start = System.nanoTime();
        long warmupEnd = start + settings.warmup().toNanos();
        boolean timed = settings.duration() != null;
        Window window = new Window(
                warmupEnd,
                timed,
                timed ? warmupEnd + settings.duration().toNanos() : 0,
                new AtomicLong(settings.requests()),
                new AtomicLong());
        CountDownLatch finished = new CountDownLatch(settings.clients());
        List<ClientTally> tallies = new ArrayList<>();
        for (int i = 0; i < settings.clients(); i++) {
            ClientTally tally = new ClientTally();
            tallies.add(tally);
            Thread client = new Thread(
                    () -> {
                        try {
                            sendUntilDone(request, window, tally);
                        } finally {
                            finished.countDown();
                        }
                    },
                    "vecnn-load-client-" + (i + 1));
            // Daemon, so that a client stuck on a server that never answers cannot keep the JVM alive.
            client.setDaemon(true);
            client.start();
        }

        progress.stage(label + ": warming up for " + seconds(settings.warmup().toNanos()) + " s with "
                + settings.clients() + " client(s)");
        long reported = 0;
        while (System.nanoTime() - warmupEnd < 0 && finished.getCount() > 0) {
            reported = advance(reported, start, window);
            LockSupport.parkNanos(Math.min(POLL_NANOS, warmupEnd - System.nanoTime()));
        }
        BatchCounter before = probe.batchCounter(target);
        progress.stage(label + ": measuring "
                + (settings.duration() != null
                        ? "for " + seconds(settings.duration().toNanos()) + " s"
                        : settings.requests() + " requests"));
        long nextStatus = System.nanoTime() + STATUS_NANOS;
        while (!await(finished)) {
            reported = advance(reported, start, window);
            if (System.nanoTime() - nextStatus >= 0) {
                progress.stage(label + ": " + seconds(System.nanoTime() - warmupEnd) + " s, " + window.counted.get()
                        + " requests");
                nextStatus += STATUS_NANOS;
            }
        }
        BatchCounter after = probe.batchCounter(target);
        progress.advance(settings.progressUnits() - reported);
        return result(ClientTally.merge(tallies), warmupEnd, before, after, server);
    }

    private void sendUntilDone(HttpRequest request, Window window, ClientTally tally) {
        // One client per thread: its own connection, as N independent callers would have, and no shared
        // selector thread between them that could hold back one client's answer behind another's.
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .build();
        HttpResponse.BodyHandler<String> body = info -> info.statusCode() == 200
                ? HttpResponse.BodySubscribers.replacing("")
                : HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8);
        while (true) {
            long sent = System.nanoTime();
            boolean measured = sent - window.warmupEnd >= 0;
            if (measured && !window.admit(sent)) {
                return;
            }
            try {
                HttpResponse<String> response = http.send(request, body);
                long done = System.nanoTime();
                if (!measured) {
                    continue;
                }
                if (response.statusCode() == 200) {
                    tally.success(done - sent, done);
                } else {
                    tally.error(String.valueOf(response.statusCode()), ServerProbe.errorText(response), done);
                }
            } catch (HttpTimeoutException e) {
                if (measured) {
                    tally.error(
                            "timeout", "no answer within " + settings.timeout().toMillis() + " ms", System.nanoTime());
                }
            } catch (IOException e) {
                if (measured) {
                    tally.error("connection", e.toString(), System.nanoTime());
                }
                if (e instanceof ConnectException) {
                    LockSupport.parkNanos(CONNECTION_RETRY_NANOS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (measured) {
                window.counted.incrementAndGet();
            }
        }
    }

    private long advance(long reported, long start, Window window) {
        long now = settings.duration() != null
                ? Math.min(settings.progressUnits(), (System.nanoTime() - start) / 1_000_000_000L)
                : window.counted.get();
        if (now > reported) {
            progress.advance(now - reported);
            return now;
        }
        return reported;
    }

    private LoadResult result(
            ClientTally.Merged merged, long warmupEnd, BatchCounter before, BatchCounter after, ServedConfig server) {
        long ok = merged.latencies().length;
        double elapsed = merged.measured() ? Math.max(1e-9, (merged.lastDone() - warmupEnd) / 1e9) : 0;
        double perSecond = elapsed > 0 ? ok / elapsed : 0;
        boolean scraped = before != null && after != null;
        return new LoadResult(
                server,
                ok + merged.errorCount(),
                ok,
                merged.errors(),
                merged.firstError(),
                elapsed,
                perSecond,
                perSecond * settings.images(),
                ok > 0 ? LoadLatency.of(merged.latencies()) : null,
                scraped ? after.batchesSince(before) : null,
                scraped ? after.meanBatchSince(before) : null);
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(POLL_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    /**
     * Which requests count: those sent from {@code warmupEnd} on, until {@code end} when {@code timed}, else
     * until the {@code tickets} are used up. {@code counted} is how many of them have been answered or failed.
     */
    private record Window(long warmupEnd, boolean timed, long end, AtomicLong tickets, AtomicLong counted) {
        boolean admit(long now) {
            return timed ? now - end < 0 : tickets.getAndDecrement() > 0;
        }
    }
}
