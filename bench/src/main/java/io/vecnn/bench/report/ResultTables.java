package io.vecnn.bench.report;

import io.vecnn.bench.report.BenchReport.ConfigResult;
import io.vecnn.bench.report.BenchReport.EngineResult;
import io.vecnn.bench.report.BenchReport.LayerTime;
import io.vecnn.bench.report.BenchReport.ThroughputResult;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The bench's results as text: a detailed terminal table, per-layer profiles, and a Markdown summary for READMEs. */
public final class ResultTables {
    private ResultTables() {}

    public static void printDetailed(BenchReport report, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "%-13s %-9s %5s %3s  %-12s %9s %8s %8s %8s %8s %9s %8s %11s %9s%n",
                "model",
                "input",
                "batch",
                "thr",
                "engine",
                "1st run",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "images/s",
                "GFLOP/s",
                "alloc/run",
                "vs VecNN");
        for (ConfigResult c : report.results()) {
            boolean first = true;
            for (EngineResult e : c.engines()) {
                out.printf(
                        Locale.ROOT,
                        "%-13s %-9s %5s %3s  %-12s %9.2f %8.2f %8.2f %8.2f %8.2f %9.1f %8.1f %11s %9s%n",
                        first ? c.model() : "",
                        first ? input(c) : "",
                        first ? c.batch() : "",
                        first ? c.threads() : "",
                        e.engine(),
                        e.firstRunMs(),
                        e.latencyMs().p50(),
                        e.latencyMs().p90(),
                        e.latencyMs().p99(),
                        e.latencyMs().max(),
                        e.imagesPerSecond(),
                        e.gflops(),
                        bytes(e.allocatedBytesPerInference()),
                        e.vecnnSpeedup() == null ? "" : String.format(Locale.ROOT, "%.2fx", e.vecnnSpeedup()));
                first = false;
            }
            out.printf(
                    Locale.ROOT,
                    "%-33s memory: weights %s, plan +%s heap, workspace %s; %s%n",
                    "",
                    bytes(c.weightBytes()),
                    bytes(c.planHeapBytes()),
                    bytes(c.workspaceBytes()),
                    checkLine(c));
        }
        out.println(
                "1st run: ms of the engine's first run after opening the model, before warm-up. vs VecNN: the peer's "
                        + "p50 over VecNN's (above 1.00x: VecNN is faster). alloc/run: Java heap per run (calling thread and "
                        + "VecNN's pool; native memory of peers not seen).");
        if (!report.throughput().isEmpty()) {
            out.println();
            out.printf(
                    Locale.ROOT,
                    "%-13s %-22s %8s %8s %9s %9s%n",
                    "model",
                    "throughput mode",
                    "images",
                    "seconds",
                    "images/s",
                    "p99 ms");
            for (ThroughputResult t : report.throughput()) {
                out.printf(
                        Locale.ROOT,
                        "%-13s %-22s %8d %8.2f %9.1f %9.2f%n",
                        t.model(),
                        t.streams() + " stream(s) x " + t.threadsPerStream() + " thread(s)",
                        t.images(),
                        t.seconds(),
                        t.imagesPerSecond(),
                        t.latencyMs().p99());
            }
        }
    }

    public static void printLayers(ConfigResult c, PrintStream out) {
        if (c.layers() == null) {
            return;
        }
        boolean peer = c.layers().stream().anyMatch(l -> l.onnxruntimeMs() != null);
        out.printf(
                Locale.ROOT,
                "%nper layer: %s batch %d, %d thread(s), mean of the profiled runs%n",
                c.model(),
                c.batch(),
                c.threads());
        out.printf(
                Locale.ROOT, "%-34s %9s %6s %s  %s%n", "layer", "VecNN ms", "share", peer ? "     ORT ms" : "", "step");
        for (LayerTime l : c.layers()) {
            out.printf(
                    Locale.ROOT,
                    "%-34s %9.3f %5.1f%% %s  %s%n",
                    l.layer(),
                    l.ms(),
                    100 * l.share(),
                    peer ? String.format(Locale.ROOT, "%11.3f", l.onnxruntimeMs()) : "",
                    l.step());
        }
    }

    /**
     * One row per configuration: VecNN's p50 and each peer's p50 with the ratio, then every engine's first run
     * (cold start, before warm-up), ready to paste into a README.
     */
    public static void printMarkdown(BenchReport report, PrintStream out) {
        List<String> peers = new ArrayList<>();
        for (ConfigResult c : report.results()) {
            for (EngineResult e : c.engines()) {
                if (!e.engine().equals("vecnn") && !peers.contains(e.engine())) {
                    peers.add(e.engine());
                }
            }
        }
        StringBuilder head = new StringBuilder("| model | input | batch | threads | VecNN p50 ms | VecNN p99 ms |");
        StringBuilder rule = new StringBuilder("|---|---|---:|---:|---:|---:|");
        for (String p : peers) {
            head.append(' ').append(p).append(" p50 ms | ").append(p).append(" / VecNN |");
            rule.append("---:|---:|");
        }
        head.append(" max rel. diff | VecNN 1st run ms |");
        rule.append("---:|---:|");
        for (String p : peers) {
            head.append(' ').append(p).append(" 1st run ms |");
            rule.append("---:|");
        }
        out.println(head);
        out.println(rule);
        for (ConfigResult c : report.results()) {
            EngineResult v = c.engines().get(0);
            StringBuilder row = new StringBuilder(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %.2f | %.2f |",
                    c.model(),
                    input(c),
                    c.batch(),
                    c.threads(),
                    v.latencyMs().p50(),
                    v.latencyMs().p99()));
            for (String p : peers) {
                EngineResult e = c.engines().stream()
                        .filter(r -> r.engine().equals(p))
                        .findFirst()
                        .orElse(null);
                row.append(
                        e == null
                                ? " – | – |"
                                : String.format(
                                        Locale.ROOT,
                                        " %.2f | **%.2fx** |",
                                        e.latencyMs().p50(),
                                        e.vecnnSpeedup()));
            }
            row.append(
                    c.check().maxRelDiff().isEmpty()
                            ? " – |"
                            : String.format(
                                    Locale.ROOT,
                                    " %.1e |",
                                    c.check().maxRelDiff().values().stream()
                                            .mapToDouble(Double::doubleValue)
                                            .max()
                                            .orElseThrow()));
            row.append(String.format(Locale.ROOT, " %.2f |", v.firstRunMs()));
            for (String p : peers) {
                EngineResult e = c.engines().stream()
                        .filter(r -> r.engine().equals(p))
                        .findFirst()
                        .orElse(null);
                row.append(e == null ? " – |" : String.format(Locale.ROOT, " %.2f |", e.firstRunMs()));
            }
            out.println(row);
        }
    }

    static String checkLine(ConfigResult c) {
        if (c.check().maxRelDiff().isEmpty()) {
            return "no peers";
        }
        StringBuilder s = new StringBuilder("outputs vs VecNN: ");
        for (Map.Entry<String, Double> e : c.check().maxRelDiff().entrySet()) {
            s.append(e.getKey())
                    .append(String.format(Locale.ROOT, " %.1e", e.getValue()))
                    .append(e.getValue() <= c.check().tolerance() ? ", " : " (MISMATCH: not timed), ");
        }
        return s.append(String.format(Locale.ROOT, "limit %.0e", c.check().tolerance()))
                .toString();
    }

    private static String input(ConfigResult c) {
        return c.input().get(0) + "x" + c.input().get(1) + "x" + c.input().get(2);
    }

    static String bytes(long bytes) {
        if (bytes < 0) {
            return "n/a";
        }
        if (bytes < 10_000) {
            return bytes + " B";
        }
        if (bytes < 10_000_000) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
