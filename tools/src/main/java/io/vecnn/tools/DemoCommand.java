package io.vecnn.tools;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.WarmupReport;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.ArchitectureRecognition;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.torchfile.TorchZipWriter;
import io.vecnn.graph.GraphStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(
        name = "demo",
        description = "For one architecture of each family: synthesise weights, convert, run, and time it.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    ArchitectureListOption archs;

    @Option(
            names = "--runs",
            defaultValue = "9",
            description = "timed runs per architecture after the warm-up (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "10",
            description = "at most this long per architecture for Model.warmUp to reach steady speed "
                    + "(default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(
            names = "--work-dir",
            description = "where to keep the files (default: a temporary directory, deleted after)")
    Path workDir;

    @Override
    public Integer call() throws IOException {
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("vecnn-demo");
        try {
            System.out.println("VecNN demo: synth -> torch.save file -> convert --arch auto -> model file -> run "
                    + "(batch 1, Model.run, " + Runtime.getRuntime().availableProcessors() + " threads)");
            System.out.println("first run: the first run after loading, on code the JIT has not compiled yet; "
                    + "p50: the median of " + Math.max(1, runs) + " runs after Model.warmUp settled (steady state)");
            System.out.printf(
                    "%-13s %-10s %12s %9s %-11s %10s %9s %10s %9s  %s%n",
                    "arch",
                    "input",
                    "parameters",
                    "GMACs",
                    "output",
                    "first run",
                    "warm-up",
                    "p50",
                    "images/s",
                    "top-1 (index, logit)");
            for (String name : archs.namesOr(ArchitectureListOption.ONE_PER_FAMILY)) {
                runOne(Architectures.get(name), dir);
            }
            System.out.println("* the warm-up budget ran out before the run times settled: the p50 may still be"
                    + " falling (raise --warmup-seconds)");
            System.out.println(
                    "files in " + (workDir != null ? dir : "a temporary directory (use --work-dir to keep them)"));
        } finally {
            if (workDir == null) {
                deleteTree(dir);
            }
        }
        return 0;
    }

    private void runOne(Architecture arch, Path dir) {
        Path pth = dir.resolve(arch.name() + ".pth");
        Path vnn = dir.resolve(arch.name() + ".vnn");
        TorchZipWriter.write(SyntheticWeights.generate(arch, 42, arch.defaultNumClasses()), pth, arch.moduleVersions());
        StateDict read = WeightFiles.read(pth);
        Architecture recognised = ArchitectureRecognition.recognise(read).architecture();
        if (!recognised.name().equals(arch.name())) {
            throw new IllegalStateException(
                    "synthesised " + arch.name() + " weights recognised as " + recognised.name());
        }
        ModelConversion.convert(read, recognised, pth.getFileName().toString()).write(vnn);
        try (Model model = Model.load(vnn)) {
            time(arch, model);
        }
    }

    private void time(Architecture arch, Model model) {
        Shape s = model.inputShape();
        float[] input = new float[(int) s.size()];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) (random.nextDouble() * 2 - 1);
        }
        long firstStart = System.nanoTime();
        float[] logits = model.run(input, 1);
        double firstMs = (System.nanoTime() - firstStart) / 1e6;
        WarmupReport warmup = model.warmUp(Duration.ofMillis(Math.round(warmupSeconds * 1000)), 1);
        long[] nanos = new long[Math.max(1, runs)];
        for (int r = 0; r < nanos.length; r++) {
            long start = System.nanoTime();
            model.run(input, 1);
            nanos[r] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        double medianMs = nanos[nanos.length / 2] / 1e6;
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        GraphStats stats = GraphStats.of(model.graph(), model.weights(), s);
        System.out.printf(
                "%-13s %-10s %,12d %9.3f %-11s %7.1f ms %7.1f s%s %7.3f ms %9.1f  %d, %.3f%n",
                arch.name(),
                s,
                stats.parameters(),
                stats.macs() / 1e9,
                "[1, " + logits.length + "]",
                firstMs,
                warmup.elapsed().toMillis() / 1e3,
                warmup.settled() ? " " : "*",
                medianMs,
                1000 / medianMs,
                best,
                logits[best]);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
