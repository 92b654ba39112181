package io.vecnn.serve;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * The server's counters and histograms, rendered in Prometheus' text exposition format (version 0.0.4) for
 * {@code GET /metrics}. Updates are lock-free adders, so counting never slows the request path.
 */
final class ServerMetrics {
    /** Request latency buckets in seconds: 0.5 ms (LeNet) to 10 s (a queue at its limit). */
    private static final double[] LATENCY_BUCKETS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, Histogram> batchSize = new ConcurrentHashMap<>();
    private final Map<String, Histogram> inference = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> queueDepth = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> modelMemory = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> reloads = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> batchFailures = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> admissions = new ConcurrentHashMap<>();
    private final LongAdder headerTimeouts = new LongAdder();
    private volatile int busyHandlers;
    /** Seconds from the server's start to its first ready; negative until then. */
    private volatile double timeToReadySeconds = -1;

    void request(String endpoint, int status, long nanos) {
        requests.computeIfAbsent("endpoint=\"" + endpoint + "\",code=\"" + status + "\"", k -> new LongAdder())
                .increment();
        latency.computeIfAbsent("endpoint=\"" + endpoint + "\"", k -> new Histogram(LATENCY_BUCKETS))
                .observe(nanos / 1e9);
    }

    void batch(String model, int images, long nanos) {
        String labels = "model=\"" + escape(model) + "\"";
        batchSize.computeIfAbsent(labels, k -> new Histogram(BATCH_BUCKETS)).observe(images);
        inference.computeIfAbsent(labels, k -> new Histogram(LATENCY_BUCKETS)).observe(nanos / 1e9);
    }

    /** A batch (or a probe after one) that failed with an {@link Error}; {@code cause} is a label value. */
    void batchFailure(String model, String cause) {
        count(batchFailures, "model=\"" + escape(model) + "\",cause=\"" + cause + "\"");
    }

    /** An image decode that waited for the decode budget ({@code waited}), or was refused ({@code refused}). */
    void decodeAdmission(String result) {
        count(admissions, "result=\"" + result + "\"");
    }

    private static void count(Map<String, LongAdder> counters, String labels) {
        counters.computeIfAbsent(labels, k -> new LongAdder()).increment();
    }

    /** Bytes a model holds of one {@code kind}: weights, idle workspaces, plans for other input sizes. */
    void modelMemory(String model, String kind, long bytes) {
        modelMemory
                .computeIfAbsent("model=\"" + escape(model) + "\",kind=\"" + kind + "\"", k -> new AtomicLong())
                .set(bytes);
    }

    void queueDepth(String model, int depth) {
        queueDepth
                .computeIfAbsent("model=\"" + escape(model) + "\"", k -> new AtomicLong())
                .set(depth);
    }

    /** A connection closed because the request's head did not arrive within the read timeout. */
    void headerTimeout() {
        headerTimeouts.increment();
    }

    void reload(String model, boolean succeeded) {
        reloads.computeIfAbsent(
                        "model=\"" + escape(model) + "\",result=\"" + (succeeded ? "ok" : "failed") + "\"",
                        k -> new LongAdder())
                .increment();
    }

    void timeToReady(double seconds) {
        timeToReadySeconds = seconds;
    }

    void busyHandlers(int threads) {
        busyHandlers = threads;
    }

    String render() {
        StringBuilder out = new StringBuilder();
        counters(out, "vecnn_requests_total", "HTTP requests by endpoint and status code.", requests);
        histograms(
                out,
                "vecnn_request_duration_seconds",
                "HTTP request latency, from request read to response sent.",
                latency);
        histograms(out, "vecnn_batch_size", "Images per inference batch.", batchSize);
        histograms(out, "vecnn_inference_duration_seconds", "Time to run one batch through the model.", inference);
        gauges(out, "vecnn_queue_depth", "Requests waiting for a batch.", queueDepth);
        gauges(
                out,
                "vecnn_model_memory_bytes",
                "Heap a model holds: its packed weights, the workspaces kept idle between runs, and plans for other"
                        + " input sizes.",
                modelMemory);
        out.append("# HELP vecnn_http_handlers_busy Handler threads reading, waiting on or answering a request, "
                + "this scrape's included.\n");
        out.append("# TYPE vecnn_http_handlers_busy gauge\n");
        out.append("vecnn_http_handlers_busy ").append(busyHandlers).append('\n');
        out.append("# HELP vecnn_header_timeouts_total Connections closed because a request head did not arrive "
                + "within the read timeout.\n");
        out.append("# TYPE vecnn_header_timeouts_total counter\n");
        out.append("vecnn_header_timeouts_total ").append(headerTimeouts.sum()).append('\n');
        counters(out, "vecnn_model_reloads_total", "Model reloads by model and result.", reloads);
        counters(
                out,
                "vecnn_batch_failures_total",
                "Batches (and probes after them) that failed with an Error, by model and cause; their requests "
                        + "were answered 503 or 500.",
                batchFailures);
        counters(
                out,
                "vecnn_decode_admissions_total",
                "Image decodes that waited for the decode memory budget, or were refused 503 when it stayed taken.",
                admissions);
        out.append("# HELP vecnn_heap_after_gc_bytes Heap in use after each heap pool's last collection: flat unless"
                + " something leaks.\n");
        out.append("# TYPE vecnn_heap_after_gc_bytes gauge\n");
        out.append("vecnn_heap_after_gc_bytes ")
                .append(ProcessMemory.heapAfterGc())
                .append('\n');
        out.append("# HELP vecnn_resident_bytes The process's resident set (VmRSS); -1 where the OS does not say.\n");
        out.append("# TYPE vecnn_resident_bytes gauge\n");
        out.append("vecnn_resident_bytes ")
                .append(ProcessMemory.residentBytes())
                .append('\n');
        double ready = timeToReadySeconds;
        if (ready >= 0) {
            // Absent until the server is ready, rather than a 0 a dashboard would take for an instant start.
            out.append("# HELP vecnn_time_to_ready_seconds Seconds from the server's start (reading its models) until "
                    + "it was first ready: port bound and every model warmed up.\n");
            out.append("# TYPE vecnn_time_to_ready_seconds gauge\n");
            out.append("vecnn_time_to_ready_seconds ")
                    .append(String.format(Locale.ROOT, "%.3f", ready))
                    .append('\n');
        }
        return out.toString();
    }

    private static void gauges(StringBuilder out, String name, String help, Map<String, AtomicLong> series) {
        family(out, name, help, "gauge", series, AtomicLong::get);
    }

    private static void counters(StringBuilder out, String name, String help, Map<String, LongAdder> series) {
        family(out, name, help, "counter", series, LongAdder::sum);
    }

    /** One metric family: its help and type lines, then a sample per label set, in label order. */
    private static <T> void family(
            StringBuilder out, String name, String help, String type, Map<String, T> series, ToLongFunction<T> value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        new TreeMap<>(series)
                .forEach((labels, v) -> out.append(name)
                        .append('{')
                        .append(labels)
                        .append("} ")
                        .append(value.applyAsLong(v))
                        .append('\n'));
    }

    private static void histograms(StringBuilder out, String name, String help, Map<String, Histogram> series) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        new TreeMap<>(series).forEach((labels, h) -> h.render(out, name, labels));
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static final class Histogram {
        private final double[] bounds;
        private final LongAdder[] counts;
        private final LongAdder count = new LongAdder();
        private final DoubleAdder sum = new DoubleAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new LongAdder[bounds.length];
            for (int i = 0; i < bounds.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double value) {
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) {
                    counts[i].increment();
                    break;
                }
            }
            count.increment();
            sum.add(value);
        }

        void render(StringBuilder out, String name, String labels) {
            long cumulative = 0;
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts[i].sum();
                out.append(name)
                        .append("_bucket{")
                        .append(labels)
                        .append(",le=\"")
                        .append(format(bounds[i]))
                        .append("\"} ")
                        .append(cumulative)
                        .append('\n');
            }
            long total = count.sum();
            out.append(name)
                    .append("_bucket{")
                    .append(labels)
                    .append(",le=\"+Inf\"} ")
                    .append(total)
                    .append('\n');
            out.append(name)
                    .append("_sum{")
                    .append(labels)
                    .append("} ")
                    .append(format(sum.sum()))
                    .append('\n');
            out.append(name)
                    .append("_count{")
                    .append(labels)
                    .append("} ")
                    .append(total)
                    .append('\n');
        }

        private static String format(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15
                    ? String.valueOf((long) v)
                    : String.format(Locale.ROOT, "%s", v);
        }
    }
}
