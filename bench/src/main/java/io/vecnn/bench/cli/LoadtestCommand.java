package io.vecnn.bench.cli;

import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.bench.load.ClosedLoopLoad;
import io.vecnn.bench.load.LoadReport;
import io.vecnn.bench.load.LoadRequests;
import io.vecnn.bench.load.LoadResult;
import io.vecnn.bench.load.LoadSettings;
import io.vecnn.bench.load.LoadTables;
import io.vecnn.bench.load.ModelTarget;
import io.vecnn.bench.load.Payload;
import io.vecnn.bench.load.ServedConfig;
import io.vecnn.bench.load.ServerProbe;
import io.vecnn.bench.load.SoakLoad;
import io.vecnn.bench.report.JsonReport;
import io.vecnn.bench.report.MachineInfo;
import io.vecnn.bench.report.SoakReport;
import io.vecnn.serve.InferenceServer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(
        name = "loadtest",
        sortOptions = false,
        description = {
            "Load a VecNN server with concurrent closed-loop clients and report throughput, latency "
                    + "percentiles, errors and the batch size the server formed.",
            "Either a running server (--url) or one started in this process (--serve M.vnn), where --max-batch, "
                    + "--max-delay-us, --instances and --threads take comma-separated lists: each combination is run "
                    + "and printed as a row."
        })
final class LoadtestCommand implements Callable<Integer> {
    private static final List<String> SERVER_OPTIONS =
            List.of("--max-batch", "--max-delay-us", "--instances", "--threads");

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--url", paramLabel = "URL", description = "a running server, e.g. http://127.0.0.1:8080")
        URI url;

        @Option(
                names = "--serve",
                paramLabel = "M.vnn",
                description = "start a server for this model file in this " + "process, on a free loopback port")
        Path serve;
    }

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "the model's name on the server (default: with --url "
                    + "the server's only model, with --serve the file name)")
    String model;

    @Option(
            names = "--max-batch",
            split = ",",
            defaultValue = "1",
            paramLabel = "N",
            description = "--serve: images per batch the server may form, 1 = batching off (default: ${DEFAULT-VALUE})")
    List<Integer> maxBatch;

    @Option(
            names = "--max-delay-us",
            split = ",",
            defaultValue = "1000",
            paramLabel = "US",
            description = "--serve: how long a batch waits for company, in µs (default: ${DEFAULT-VALUE})")
    List<Long> maxDelayUs;

    @Option(
            names = "--instances",
            split = ",",
            defaultValue = "1",
            paramLabel = "N",
            description = "--serve: batches run at once (default: ${DEFAULT-VALUE})")
    List<Integer> instances;

    @Mixin
    ThreadCountsOption threads;

    @Option(
            names = "--clients",
            defaultValue = "4",
            paramLabel = "N",
            description = "concurrent clients, each sending its next request when its answer arrives "
                    + "(default: ${DEFAULT-VALUE})")
    int clients;

    @Option(
            names = "--duration",
            defaultValue = "10s",
            converter = DurationConverter.class,
            paramLabel = "TIME",
            description = "how long to measure each configuration, e.g. 10s, 500ms, 2m (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--requests", paramLabel = "N", description = "measure this many requests instead of a duration")
    Long requests;

    @Option(
            names = "--warmup",
            defaultValue = "2s",
            converter = DurationConverter.class,
            paramLabel = "TIME",
            description = "load before measuring, not counted (default: ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(
            names = "--payload",
            defaultValue = "v2-binary",
            converter = PayloadConverter.class,
            paramLabel = "KIND",
            description = "v2-json, v2-binary (KServe V2 with the binary tensor extension), image (/v1 predict with "
                    + "--image), npy (/v1 predict) (default: ${DEFAULT-VALUE})")
    Payload payload;

    @Option(names = "--image", paramLabel = "FILE", description = "the JPEG or PNG that --payload image sends")
    Path image;

    @Option(
            names = "--images-per-request",
            defaultValue = "1",
            paramLabel = "N",
            description = "images in each request's tensor (v2-json, v2-binary, npy; default: ${DEFAULT-VALUE})")
    int imagesPerRequest;

    @Option(
            names = "--timeout",
            defaultValue = "30s",
            converter = DurationConverter.class,
            paramLabel = "TIME",
            description = "longest wait for one answer; longer counts as a timeout error (default: ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(names = "--json", paramLabel = "FILE", description = "write the results as JSON (schema vecnn-loadtest/1)")
    Path json;

    @Option(names = "--markdown", description = "also print a Markdown table")
    boolean markdown;

    @Option(
            names = "--soak",
            description = "a soak instead: for --duration, --clients send a mix of valid inferences and abuse"
                    + " (malformed JSON, wrong types, a 400-megapixel image header, an unknown model, --image if given);"
                    + " the server's heap after GC and resident set are sampled from its /metrics; reports lost and"
                    + " unexpected answers and latency percentiles")
    boolean soak;

    @Option(
            names = "--sample-every",
            defaultValue = "10s",
            converter = DurationConverter.class,
            paramLabel = "TIME",
            description = "--soak: how often to sample the server's memory (default: ${DEFAULT-VALUE})")
    Duration sampleEvery;

    @Option(names = "--chart", paramLabel = "FILE", description = "--soak: the server's memory over time as a PNG")
    Path chart;

    @Override
    public Integer call() {
        if (soak) {
            return soak();
        }
        List<ServedConfig> configs = validate();
        LoadSettings settings = new LoadSettings(
                clients,
                warmup,
                requests == null ? duration : null,
                requests == null ? 0 : requests,
                payload,
                imagesPerRequest,
                timeout);
        byte[] imageBytes = payload == Payload.IMAGE ? readImage() : null;
        ServerProbe probe = new ServerProbe(timeout);
        List<LoadResult> results = new ArrayList<>();
        ModelTarget first = null;
        int runs = target.serve != null ? configs.size() : 1;
        try (ConsoleBenchProgress progress = ConsoleBenchProgress.start(
                "loadtest", runs * settings.progressUnits(), requests == null ? "s" : "requests")) {
            ClosedLoopLoad load = new ClosedLoopLoad(settings, probe, progress);
            if (target.serve == null) {
                first = probe.target(baseUri(target.url), model);
                results.add(load.run(
                        first,
                        LoadRequests.build(first, payload, imagesPerRequest, imageBytes, timeout),
                        null,
                        first.model()));
            } else {
                String name = model != null ? model : servedName(target.serve);
                Model loaded = null;
                try {
                    for (ServedConfig config : configs) {
                        if (loaded == null || loaded.threads() != config.threads()) {
                            if (loaded != null) {
                                loaded.close();
                            }
                            progress.stage("loading " + target.serve + " with " + config.threads() + " thread(s)");
                            loaded = Model.load(target.serve, config.threads());
                        }
                        InferenceServer server = config.start(loaded, name, clients);
                        try {
                            ModelTarget t = probe.target(baseUri(server.uri()), name);
                            first = first != null ? first : t;
                            results.add(load.run(
                                    t,
                                    LoadRequests.build(t, payload, imagesPerRequest, imageBytes, timeout),
                                    config,
                                    config.label()));
                        } finally {
                            server.stop(Duration.ofSeconds(1));
                        }
                    }
                } finally {
                    if (loaded != null) {
                        loaded.close();
                    }
                }
            }
        }
        LoadReport report = new LoadReport(
                LoadReport.SCHEMA,
                OffsetDateTime.now(ZoneOffset.UTC)
                        .truncatedTo(ChronoUnit.SECONDS)
                        .toString(),
                "vecnn " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                MachineInfo.current(),
                new LoadReport.Target(
                        first.baseUri().toString(),
                        first.model(),
                        first.input(),
                        target.serve != null ? target.serve.toString() : null),
                LoadReport.Settings.of(settings),
                results);
        LoadTables.print(report, System.out);
        if (markdown) {
            System.out.println();
            LoadTables.printMarkdown(report, System.out);
        }
        if (json != null) {
            JsonReport.write(report, json);
            System.err.println("loadtest: wrote " + json);
        }
        return 0;
    }

    /** A soak of a running server (--url) or of one started here (--serve, its first configuration). */
    private int soak() {
        if (requests != null || sampleEvery.isZero() || duration.compareTo(sampleEvery) < 0) {
            throw usage("--soak runs for --duration (not --requests), sampling every --sample-every, which is shorter");
        }
        if (clients < 1) {
            throw usage("--clients must be positive");
        }
        byte[] imageBytes = image == null ? null : readImage();
        ServerProbe probe = new ServerProbe(timeout);
        SoakLoad load = new SoakLoad(clients, duration, sampleEvery, timeout);
        SoakLoad.Sample[] last = new SoakLoad.Sample[1];
        java.util.function.Consumer<SoakLoad.Sample> progress = s -> {
            last[0] = s;
            System.err.printf(
                    java.util.Locale.ROOT,
                    "soak: %4.0f s, %d answered, %d lost, heap after GC %.0f MiB, resident %.0f MiB%n",
                    s.seconds(),
                    s.answered(),
                    s.lost(),
                    s.heapAfterGcBytes() / 1048576.0,
                    s.residentBytes() / 1048576.0);
        };
        SoakLoad.Result result;
        ModelTarget t;
        try {
            if (target.serve == null) {
                t = probe.target(baseUri(target.url), model);
                result = load.run(t, imageBytes, progress);
            } else {
                ServedConfig config = validate().get(0);
                String name = model != null ? model : servedName(target.serve);
                try (Model loaded = Model.load(target.serve, config.threads())) {
                    InferenceServer server = config.start(loaded, name, clients);
                    try {
                        t = probe.target(baseUri(server.uri()), name);
                        result = load.run(t, imageBytes, progress);
                    } finally {
                        server.stop(Duration.ofSeconds(1));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecnnException("the soak was interrupted");
        }
        SoakReport report = new SoakReport(
                SoakReport.SCHEMA,
                OffsetDateTime.now(ZoneOffset.UTC)
                        .truncatedTo(ChronoUnit.SECONDS)
                        .toString(),
                "vecnn " + String.join(" ", spec.commandLine().getParseResult().originalArgs()),
                MachineInfo.current(),
                t.baseUri().toString(),
                t.model(),
                result);
        report.print(System.out);
        if (json != null) {
            JsonReport.write(report, json);
            System.err.println("loadtest: wrote " + json);
        }
        if (chart != null) {
            report.writeChart(chart);
            System.err.println("loadtest: wrote " + chart);
        }
        return result.lost() == 0 && result.unexpected() == 0 ? 0 : 1;
    }

    /** Checks the options against each other; returns the in-process server setups, threads outermost. */
    private List<ServedConfig> validate() {
        if (target.serve == null) {
            for (String option : SERVER_OPTIONS) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw usage(option + " sets up the in-process server; it goes with --serve, not --url");
                }
            }
        }
        if (clients < 1 || imagesPerRequest < 1 || (requests != null && requests < 1)) {
            throw usage("--clients, --images-per-request and --requests must be positive");
        }
        if (requests != null && spec.commandLine().getParseResult().hasMatchedOption("--duration")) {
            throw usage("give either --duration or --requests, not both");
        }
        if (duration.isZero() || timeout.isZero()) {
            throw usage("--duration and --timeout must be longer than zero");
        }
        if ((payload == Payload.IMAGE) != (image != null)) {
            throw usage(image == null ? "--payload image needs --image FILE" : "--image goes with --payload image");
        }
        if (payload == Payload.IMAGE && imagesPerRequest != 1) {
            throw usage("--payload image sends one image per request");
        }
        List<ServedConfig> configs = new ArrayList<>();
        for (int t : threads.counts(spec)) {
            for (int b : maxBatch) {
                for (long d : maxDelayUs) {
                    for (int i : instances) {
                        ServedConfig config = new ServedConfig(b, d, i, t);
                        try {
                            config.batching();
                        } catch (VecnnException e) {
                            throw usage(e.getMessage());
                        }
                        configs.add(config);
                    }
                }
            }
        }
        return configs;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private URI baseUri(URI url) {
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
            throw usage("--url must be an http:// address with a host, e.g. http://127.0.0.1:8080; got " + url);
        }
        String text = url.toString();
        return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    private byte[] readImage() {
        try {
            return Files.readAllBytes(image);
        } catch (IOException e) {
            throw new VecnnException("cannot read --image " + image + ": " + e, e);
        }
    }

    /** The file name without {@code .vnn}, reduced to the characters a served model's name may have. */
    static String servedName(Path file) {
        String stem = file.getFileName().toString().replaceFirst("\\.vnn$", "").replaceAll("[^A-Za-z0-9_.-]", "_");
        return stem.isEmpty() ? "model" : stem.substring(0, Math.min(64, stem.length()));
    }

    /** Payloads by their command-line names (v2-binary), which are not the enum's constant names. */
    static final class PayloadConverter implements ITypeConverter<Payload> {
        @Override
        public Payload convert(String value) {
            return Payload.of(value);
        }
    }
}
