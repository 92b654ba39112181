package io.vecnn.bench.load;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A soak: closed-loop clients send {@link SoakRequests}' mix for minutes while the server's heap after GC and
 * resident set are sampled from its {@code /metrics}. What it proves: the heap stays flat, every request gets
 * an answer (none lost), every answer is one a healthy server gives (none unexpected), and the latency of the
 * valid inferences holds.
 */
public final class SoakLoad {
    /** One sample of the server's memory and the soak's counts so far. */
    public record Sample(double seconds, long heapAfterGcBytes, long residentBytes, long answered, long lost) {}

    /**
     * @param statuses answers by request kind and status ("infer_1 200"), unexpected ones included
     * @param latencyMillis p50, p90, p99 and max of the valid single-image inferences
     */
    public record Result(
            double seconds,
            int clients,
            long answered,
            long unexpected,
            long lost,
            String firstProblem,
            Map<String, Long> statuses,
            Map<String, Double> latencyMillis,
            List<Sample> samples) {}

    private final int clients;
    private final Duration duration;
    private final Duration sampleEvery;
    private final Duration timeout;
    private final HttpClient http;

    public SoakLoad(int clients, Duration duration, Duration sampleEvery, Duration timeout) {
        this.clients = clients;
        this.duration = duration;
        this.sampleEvery = sampleEvery;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    /** Runs the soak against {@code target}, reporting each sample to {@code progress} as it is taken. */
    public Result run(ModelTarget target, byte[] image, Consumer<Sample> progress) throws InterruptedException {
        List<SoakRequests.Kind> cycle = SoakRequests.cycle(target, image, timeout);
        Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        AtomicLong answered = new AtomicLong();
        AtomicLong unexpected = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        List<long[]> latencies = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            running.add(pool.submit(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                for (long i = client; System.nanoTime() < end; i++) {
                    SoakRequests.Kind kind = cycle.get((int) (i % cycle.size()));
                    long sent = System.nanoTime();
                    int status = send(kind.request(), problems, kind.name());
                    if (status < 0) {
                        lost.incrementAndGet();
                        continue;
                    }
                    answered.incrementAndGet();
                    statuses.computeIfAbsent(kind.name() + " " + status, k -> new LongAdder())
                            .increment();
                    if (!kind.expected().contains(status)) {
                        unexpected.incrementAndGet();
                        problems.add(kind.name() + " answered " + status);
                    } else if (kind.name().equals("infer_1") && status == 200 && n < mine.length) {
                        mine[n++] = System.nanoTime() - sent;
                    }
                }
                latencies.add(Arrays.copyOf(mine, n));
                return null;
            }));
        }
        List<Sample> samples = new ArrayList<>();
        try {
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(sampleEvery.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                Sample s = sample(target, start, answered.get(), lost.get());
                samples.add(s);
                progress.accept(s);
            }
            for (Future<?> f : running) {
                f.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("a soak client failed: " + e.getCause(), e);
        } finally {
            pool.shutdownNow();
        }
        Map<String, Long> counted = new TreeMap<>();
        statuses.forEach((k, v) -> counted.put(k, v.sum()));
        return new Result(
                (System.nanoTime() - start) / 1e9,
                clients,
                answered.get(),
                unexpected.get(),
                lost.get(),
                problems.isEmpty() ? null : problems.get(0),
                counted,
                percentiles(latencies),
                samples);
    }

    /** The status, or -1 when no answer came (a reset, a timeout): a lost request. */
    private int send(HttpRequest request, List<String> problems, String kind) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            problems.add(kind + " lost: " + e);
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private Sample sample(ModelTarget target, long start, long answered, long lost) throws InterruptedException {
        long heap = -1;
        long resident = -1;
        try {
            String metrics = http.send(
                            HttpRequest.newBuilder(target.resolve("/metrics"))
                                    .timeout(timeout)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            heap = gauge(metrics, "vecnn_heap_after_gc_bytes");
            resident = gauge(metrics, "vecnn_resident_bytes");
        } catch (IOException e) {
            // The sample shows -1: the server did not answer its metrics this time.
        }
        return new Sample((System.nanoTime() - start) / 1e9, heap, resident, answered, lost);
    }

    private static long gauge(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long)
                        Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }

    private static Map<String, Double> percentiles(List<long[]> perClient) {
        long[] all = perClient.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        Map<String, Double> p = new java.util.LinkedHashMap<>();
        if (all.length == 0) {
            return p;
        }
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            p.put("p" + Math.round(q * 100), all[(int) Math.min(all.length - 1, Math.ceil(q * all.length) - 1)] / 1e6);
        }
        p.put("max", all[all.length - 1] / 1e6);
        return p;
    }
}
