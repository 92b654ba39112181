package io.vecnn.bench.cli;

import io.vecnn.VecnnException;
import io.vecnn.bench.engines.Peers;
import io.vecnn.bench.report.BenchReport;
import io.vecnn.bench.report.BenchReport.ConfigResult;
import io.vecnn.bench.report.BenchReport.EngineInfo;
import io.vecnn.bench.report.BenchReport.ThroughputResult;
import io.vecnn.bench.report.ComparisonChart;
import io.vecnn.bench.report.JsonReport;
import io.vecnn.bench.report.MachineInfo;
import io.vecnn.bench.report.ResultTables;
import io.vecnn.bench.run.BenchSettings;
import io.vecnn.bench.run.ComparisonRun;
import io.vecnn.bench.run.Subject;
import io.vecnn.bench.run.ThroughputRun;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.tools.ArchitectureListOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(
        name = "bench",
        sortOptions = false,
        description = {
            "Time VecNN per model, batch size and thread count: latency percentiles, images/s, memory, "
                    + "allocation per run; with --compare, ONNX Runtime and PyTorch on the same weights in the same run, "
                    + "after checking that all give the same outputs.",
            "Built-in architectures run with synthetic weights (speed does not depend on the values)."
        })
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ArchitectureListOption archs;

    @Option(names = "--model", paramLabel = "M.vnn", description = "a model file to run (repeatable)")
    List<Path> models;

    @Option(names = "--batch", split = ",", defaultValue = "1", description = "batch sizes (default: ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Mixin
    ThreadCountsOption threads;

    @Option(
            names = "--warmup",
            defaultValue = "5",
            description = "untimed runs per engine first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--iterations",
            defaultValue = "30",
            description = "timed runs per engine (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(
            names = "--duration",
            paramLabel = "SECONDS",
            description = "time each engine for this many seconds per configuration instead of --iterations")
    double duration;

    @Option(
            names = "--compare",
            split = ",",
            paramLabel = "ENGINE",
            description = "peers to run on the same weights: onnxruntime, pytorch")
    List<String> compare = new ArrayList<>();

    @Option(
            names = "--tolerance",
            defaultValue = "5e-4",
            description =
                    "largest max-relative output difference to VecNN for which a peer is timed (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(
            names = "--layers",
            description = "print VecNN's per-layer time table (beside ONNX Runtime's per node when compared)")
    boolean layers;

    @Option(
            names = "--streams",
            paramLabel = "N",
            defaultValue = "0",
            description = "throughput mode: also compare N concurrent 1-thread streams with 1 stream of N threads, "
                    + "each for --duration seconds (default 5)")
    int streams;

    @Option(names = "--json", paramLabel = "FILE", description = "write every figure as JSON (schema vecnn-bench/1)")
    Path json;

    @Option(
            names = "--chart",
            paramLabel = "FILE.png",
            description = "write one grouped bar chart: every configuration, engines side by side, p50 relative to "
                    + "VecNN's")
    Path chart;

    @Option(
            names = "--chart-panels",
            paramLabel = "FILE.png",
            description = "also write one panel per configuration with the latencies in ms")
    Path chartPanels;

    @Option(names = "--markdown", description = "also print a Markdown summary table")
    boolean markdown;

    @Option(
            names = "--render",
            paramLabel = "FILE.json",
            description = "measure nothing: print the tables and write the charts of a saved --json file")
    Path render;

    /** What {@code --render} takes; every other option is about measuring. */
    private static final List<String> RENDER_OPTIONS = List.of("--render", "--chart", "--chart-panels", "--markdown");

    @Override
    public Integer call() {
        if (render != null) {
            List<String> measuring = spec.commandLine().getParseResult().matchedOptions().stream()
                    .map(o -> o.longestName())
                    .filter(o -> !RENDER_OPTIONS.contains(o))
                    .toList();
            if (!measuring.isEmpty()) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--render measures nothing, so " + measuring + " has no effect; it takes only "
                                + String.join(", ", RENDER_OPTIONS));
            }
            report(JsonReport.readBench(render));
            return 0;
        }
        List<Integer> threadCounts = threads.counts(spec);
        validate();
        BenchSettings settings = new BenchSettings(
                batches, threadCounts, warmup, iterations, duration, compare, tolerance, layers, streams);
        List<String> names = new ArrayList<>();
        List<SubjectSource> sources = new ArrayList<>();
        for (String arch : archs.namesOr(models != null ? List.of() : ArchitectureListOption.ONE_PER_FAMILY)) {
            sources.add(() -> Subject.synthetic(Architectures.get(arch)));
            names.add(arch);
        }
        for (Path m : models != null ? models : List.<Path>of()) {
            sources.add(() -> Subject.load(m));
            names.add(m.toString());
        }

        ComparisonRun comparison;
        List<ConfigResult> results = new ArrayList<>();
        List<ThroughputResult> throughput = new ArrayList<>();
        try (ConsoleBenchProgress progress = ConsoleBenchProgress.start(plannedRuns(settings, sources.size()))) {
            comparison = new ComparisonRun(settings, progress);
            ThroughputRun throughputRun = new ThroughputRun(settings, progress);
            for (int i = 0; i < sources.size(); i++) {
                progress.stage(names.get(i) + ": preparing the model");
                Subject subject = sources.get(i).get();
                results.addAll(comparison.run(subject));
                if (streams > 0) {
                    throughput.addAll(throughputRun.run(subject));
                }
            }
        }
        List<EngineInfo> engines = comparison.engineVersions().entrySet().stream()
                .map(e -> new EngineInfo(e.getKey(), e.getValue()))
                .toList();
        BenchReport report = new BenchReport(
                BenchReport.SCHEMA,
                OffsetDateTime.now(ZoneOffset.UTC)
                        .truncatedTo(ChronoUnit.SECONDS)
                        .toString(),
                "vecnn " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                MachineInfo.current(),
                new BenchReport.Settings(
                        names,
                        batches,
                        threadCounts,
                        warmup,
                        iterations,
                        duration > 0 ? duration : null,
                        compare,
                        tolerance,
                        streams),
                engines,
                results,
                throughput);
        if (json != null) {
            JsonReport.write(report, json);
            System.err.println("bench: wrote " + json);
        }
        report(report);
        List<String> mismatched = results.stream()
                .filter(c -> !c.check().passed())
                .map(c -> c.model() + " b" + c.batch() + " t" + c.threads())
                .toList();
        if (!mismatched.isEmpty()) {
            throw new VecnnException("outputs of a peer differ from VecNN's by more than " + tolerance + " for "
                    + mismatched + "; its speed is not reported");
        }
        return 0;
    }

    /** The tables, and the charts asked for: the same from a run as from its saved JSON. */
    private void report(BenchReport report) {
        System.out.println("machine: " + report.machine().summary());
        ResultTables.printDetailed(report, System.out);
        for (ConfigResult c : report.results()) {
            ResultTables.printLayers(c, System.out);
        }
        if (markdown) {
            System.out.println();
            ResultTables.printMarkdown(report, System.out);
        }
        if (chart != null) {
            ComparisonChart.write(report, chart);
            System.err.println("bench: wrote " + chart);
        }
        if (chartPanels != null) {
            ComparisonChart.writePanels(report, chartPanels);
            System.err.println("bench: wrote " + chartPanels);
        }
    }

    private void validate() {
        for (int b : batches) {
            positive("--batch", b);
        }
        positive("--iterations", iterations);
        if (warmup < 0 || streams < 0 || duration < 0 || !(tolerance > 0)) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--warmup, --streams and --duration must not be negative, " + "--tolerance must be positive");
        }
        for (String peer : compare) {
            if (!Peers.NAMES.contains(peer)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--compare: unknown engine '" + peer + "'; choose from " + String.join(", ", Peers.NAMES));
            }
        }
        archs.check(spec);
    }

    private void positive(String option, int value) {
        if (value <= 0) {
            throw new ParameterException(spec.commandLine(), option + " must be positive, got " + value);
        }
    }

    private long plannedRuns(BenchSettings settings, int subjects) {
        if (settings.durationSeconds() > 0) {
            return 0;
        }
        long perSubject = (long) settings.threads().size()
                * settings.batches().size()
                * (1 + settings.peers().size())
                * (settings.warmup() + settings.iterations());
        return subjects * perSubject;
    }

    /** Models are built one at a time, so that only one model's weights are in memory at once. */
    @FunctionalInterface
    private interface SubjectSource {
        Subject get();
    }
}
