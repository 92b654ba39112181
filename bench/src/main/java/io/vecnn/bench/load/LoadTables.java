package io.vecnn.bench.load;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A load test's results as text: one terminal row per configuration, and the same as Markdown. */
public final class LoadTables {
    private LoadTables() {}

    public static void print(LoadReport report, PrintStream out) {
        boolean served = report.target().modelFile() != null;
        out.printf(
                Locale.ROOT,
                "%s, %s, %d client(s), %s payload, %d image(s) per request%n",
                report.target().model(),
                served ? "in-process server" : report.target().url(),
                report.settings().clients(),
                report.settings().payload(),
                report.settings().imagesPerRequest());
        out.printf(
                Locale.ROOT,
                "%-22s %8s %7s %8s %9s %8s %8s %8s %9s %8s %6s%n",
                served ? "server" : "target",
                "requests",
                "errors",
                "req/s",
                "images/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "p99.9 ms",
                "max ms",
                "batch");
        for (LoadResult r : report.results()) {
            out.printf(
                    Locale.ROOT,
                    "%-22s %8d %7d %8.1f %9.1f %s %6s%n",
                    r.server() != null ? r.server().label() : "url",
                    r.requests(),
                    r.errorCount(),
                    r.requestsPerSecond(),
                    r.imagesPerSecond(),
                    String.format(Locale.ROOT, "%8s %8s %8s %9s %8s", (Object[]) latencyCells(r.latencyMs())),
                    fixed2(r.meanBatchSize()));
        }
        for (LoadResult r : report.results()) {
            if (r.errorCount() > 0) {
                out.printf(
                        Locale.ROOT,
                        "errors%s: %s; first: %s%n",
                        r.server() != null ? " (" + r.server().label() + ")" : "",
                        errors(r.errors()),
                        r.firstError());
            }
        }
        out.println("req/s, images/s: successful requests (× images per request) per second after warm-up. "
                + "Latency: send to end of answer, successful requests only. batch: mean images per batch the server "
                + "formed (from /metrics).");
    }

    public static void printMarkdown(LoadReport report, PrintStream out) {
        out.println("| server | clients | requests | errors | req/s | images/s | p50 ms | p90 ms | p99 ms | p99.9 ms "
                + "| max ms | mean batch |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (LoadResult r : report.results()) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %d | %d | %s | %.1f | %.1f | %s | %s |%n",
                    r.server() != null ? r.server().label() : report.target().url(),
                    report.settings().clients(),
                    r.requests(),
                    r.errorCount() == 0 ? "0" : errors(r.errors()),
                    r.requestsPerSecond(),
                    r.imagesPerSecond(),
                    String.join(" | ", latencyCells(r.latencyMs())),
                    fixed2(r.meanBatchSize()));
        }
    }

    /** p50, p90, p99, p99.9 and max, one cell each in both tables; dashes when no request succeeded. */
    private static String[] latencyCells(LoadLatency l) {
        if (l == null) {
            return new String[] {"–", "–", "–", "–", "–"};
        }
        return new String[] {fixed2(l.p50()), fixed2(l.p90()), fixed2(l.p99()), fixed2(l.p999()), fixed2(l.max())};
    }

    private static String fixed2(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String errors(Map<String, Long> errors) {
        return errors.entrySet().stream()
                .map(e -> e.getValue() + "× " + e.getKey())
                .collect(Collectors.joining(", "));
    }
}
