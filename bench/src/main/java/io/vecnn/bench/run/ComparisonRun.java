package io.vecnn.bench.run;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.VecnnException;
import io.vecnn.bench.GaussianArrays;
import io.vecnn.bench.engines.Engine;
import io.vecnn.bench.engines.NodeProfiler;
import io.vecnn.bench.engines.Peers;
import io.vecnn.bench.engines.VecnnEngine;
import io.vecnn.bench.report.BenchReport.Check;
import io.vecnn.bench.report.BenchReport.ConfigResult;
import io.vecnn.bench.report.BenchReport.EngineResult;
import io.vecnn.bench.report.BenchReport.LayerTime;
import io.vecnn.exec.fast.Plan;
import io.vecnn.graph.Graph;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times VecNN and its peers on one model, per thread count and batch size. The engines take turns in short
 * blocks of runs, each turn starting with a different engine, so that drift of the machine (turbo, a noisy
 * neighbour, thermal limits) lands on all of them alike instead of on whichever ran last. Each turn starts
 * with a pause and an untimed run: the engine that ran before still has threads spinning (ONNX Runtime's
 * pool and libtorch's OpenMP threads spin-wait after a run to answer the next one fast), and on a machine
 * with no spare cores they would steal the next engine's cores.
 */
public final class ComparisonRun {
    /** Upper bound on timed runs in duration mode, so a very fast model cannot fill memory with samples. */
    private static final int MAX_ROUNDS = 100_000;
    /** Timed runs per turn: long enough that an engine runs in its steady state, short enough to interleave. */
    private static final int BLOCK_RUNS = 5;
    /** Longer than the spin-wait of ORT's pool and of libgomp (well under 10 ms) after an engine's last run. */
    private static final long SETTLE_MILLIS = 20;

    private static final int ALLOCATION_RUNS = 10;
    /**
     * Warm-up lasts at least this long per engine whatever {@code --warmup} says: C2 needs thousands of calls
     * of a kernel before it compiles it with the escape analysis that keeps vectors in registers; until then
     * a small model such as LeNet-5 runs several times slower and allocates megabytes per run.
     */
    private static final double MIN_WARMUP_SECONDS_PER_ENGINE = 2.0;

    private final BenchSettings settings;
    private final BenchProgress progress;
    private final Map<String, String> versions = new LinkedHashMap<>();

    public ComparisonRun(BenchSettings settings, BenchProgress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** Name and version of every engine opened so far, VecNN first. */
    public Map<String, String> engineVersions() {
        return new LinkedHashMap<>(versions);
    }

    /**
     * Every engine is opened afresh for each configuration (thread count and batch size), so that its first
     * run there is the first after it opened the model, as a new deployment's first request is. The JIT's
     * compiled code is the process's, though: VecNN's first run is cold only in the first configuration
     * of a run, and later ones show what is left (plan, workspaces, batch-size-specific paths).
     */
    public List<ConfigResult> run(Subject subject) {
        List<ConfigResult> results = new ArrayList<>();
        for (int threads : settings.threads()) {
            try (RecordingPool pool = new RecordingPool(threads)) {
                for (int batch : settings.batches()) {
                    String label = subject.name() + " b" + batch + " t" + threads;
                    progress.stage(label + ": planning");
                    // A model packs its weights and plans its input shape as it is made, so the heap is
                    // measured around both.
                    long heapBefore = usedHeapAfterGc();
                    Model model = Model.of(subject.file(), pool.pool());
                    Plan plan = model.plan(subject.input());
                    long planHeap = Math.max(0, usedHeapAfterGc() - heapBefore);
                    List<Engine> engines = new ArrayList<>();
                    engines.add(new VecnnEngine(model));
                    try {
                        for (String peer : settings.peers()) {
                            progress.stage(label + ": opening " + peer);
                            engines.add(Peers.open(peer, model, threads));
                        }
                        engines.forEach(e -> versions.putIfAbsent(e.name(), e.version()));
                        results.add(runConfig(subject, plan, engines, pool, threads, batch, planHeap));
                    } finally {
                        engines.forEach(Engine::close);
                    }
                }
            }
        }
        return results;
    }

    private ConfigResult runConfig(
            Subject subject,
            Plan plan,
            List<Engine> engines,
            RecordingPool pool,
            int threads,
            int batch,
            long planHeap) {
        String label = subject.name() + " b" + batch + " t" + threads;
        Shape in = subject.input();
        float[] x = randomInput(batch * (int) in.size());

        progress.stage(label + ": checking outputs");
        // The check runs are each engine's first since it opened the model: timed, they are its cold start.
        Map<Engine, Long> firstRun = new LinkedHashMap<>();
        long start = System.nanoTime();
        float[] expected = engines.get(0).run(x, batch);
        firstRun.put(engines.get(0), System.nanoTime() - start);
        Map<String, Double> diffs = new LinkedHashMap<>();
        List<Engine> timed = new ArrayList<>();
        timed.add(engines.get(0));
        for (Engine peer : engines.subList(1, engines.size())) {
            start = System.nanoTime();
            float[] out = peer.run(x, batch);
            firstRun.put(peer, System.nanoTime() - start);
            double d = OutputCheck.maxRelativeDifference(out, expected);
            diffs.put(peer.name(), d);
            if (d <= settings.tolerance()) {
                timed.add(peer);
            }
        }
        boolean passed = timed.size() == engines.size();

        progress.stage(label + ": warm-up");
        // The previous model's weights and plans are garbage now; collect them here rather than let the
        // collector's concurrent threads take cores from the timed runs.
        System.gc();
        long warmupEnd = System.nanoTime() + (long) (MIN_WARMUP_SECONDS_PER_ENGINE * 1e9) * timed.size();
        for (int r = 0; r < settings.warmup() || System.nanoTime() < warmupEnd; r++) {
            for (Engine e : timed) {
                e.run(x, batch);
                if (r < settings.warmup()) {
                    progress.advance(1);
                }
            }
        }
        progress.stage(label + ": timing " + timed.stream().map(Engine::name).toList());
        long[][] nanos = time(timed, x, batch);
        int rounds = nanos[0].length;

        double macs = subject.stats().macs();
        List<EngineResult> results = new ArrayList<>();
        double vecnnP50 = 0;
        for (int i = 0; i < timed.size(); i++) {
            Engine e = timed.get(i);
            LatencyStats latency = LatencyStats.of(nanos[i], rounds);
            if (i == 0) {
                vecnnP50 = latency.p50();
            }
            List<Thread> meteredThreads = new ArrayList<>(List.of(Thread.currentThread()));
            if (e instanceof VecnnEngine) {
                meteredThreads.addAll(pool.workers());
            }
            long allocated = allocatedPerRun(e, x, batch, meteredThreads);
            results.add(new EngineResult(
                    e.name(),
                    rounds,
                    firstRun.get(e) / 1e6,
                    latency,
                    batch * 1000.0 / latency.p50(),
                    2 * macs * batch / (latency.p50() * 1e-3) / 1e9,
                    allocated,
                    i == 0 ? null : latency.p50() / vecnnP50));
        }

        List<LayerTime> layers =
                settings.layers() ? profileLayers(label, plan, subject.file().graph(), engines, pool, x, batch) : null;
        return new ConfigResult(
                subject.name(),
                List.of(in.channels(), in.height(), in.width()),
                batch,
                threads,
                macs / 1e9,
                subject.weightBytes(),
                planHeap,
                plan.workspaceBytes(batch),
                new Check(diffs, settings.tolerance(), passed),
                results,
                layers);
    }

    private long[][] time(List<Engine> engines, float[] x, int batch) {
        int n = engines.size();
        boolean byDuration = settings.durationSeconds() > 0;
        long budget = (long) (settings.durationSeconds() * 1e9);
        long[][] nanos = new long[n][byDuration ? 1024 : settings.iterations()];
        int[] counts = new int[n];
        long[] total = new long[n];
        for (int block = 0; !done(counts, total, budget, byDuration); block++) {
            for (int k = 0; k < n; k++) {
                int i = (block + k) % n;
                Engine e = engines.get(i);
                if (n > 1) {
                    settle();
                    e.run(x, batch);
                }
                for (int r = 0; r < BLOCK_RUNS && !enough(counts[i], total[i], budget, byDuration); r++) {
                    if (counts[i] == nanos[i].length) {
                        nanos[i] = Arrays.copyOf(nanos[i], 2 * counts[i]);
                    }
                    long start = System.nanoTime();
                    e.run(x, batch);
                    long t = System.nanoTime() - start;
                    nanos[i][counts[i]++] = t;
                    total[i] += t;
                    progress.advance(1);
                }
            }
        }
        int rounds = Arrays.stream(counts).min().orElse(0);
        for (int i = 0; i < n; i++) {
            nanos[i] = Arrays.copyOf(nanos[i], rounds);
        }
        return nanos;
    }

    private boolean done(int[] counts, long[] total, long budget, boolean byDuration) {
        for (int i = 0; i < counts.length; i++) {
            if (!enough(counts[i], total[i], budget, byDuration)) {
                return false;
            }
        }
        return true;
    }

    private boolean enough(int count, long total, long budget, boolean byDuration) {
        return byDuration ? total >= budget || count >= MAX_ROUNDS : count >= settings.iterations();
    }

    /** Lets the previous engine's threads go idle: ORT's pool and OpenMP spin-wait for a while after each run. */
    private static void settle() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecnnException("interrupted while timing");
        }
    }

    private static long allocatedPerRun(Engine e, float[] x, int batch, List<Thread> threads) {
        if (!AllocationMeter.supported()) {
            return -1;
        }
        long before = AllocationMeter.allocatedBytes(threads);
        for (int r = 0; r < ALLOCATION_RUNS; r++) {
            e.run(x, batch);
        }
        return (AllocationMeter.allocatedBytes(threads) - before) / ALLOCATION_RUNS;
    }

    private List<LayerTime> profileLayers(
            String label, Plan plan, Graph graph, List<Engine> engines, RecordingPool pool, float[] x, int batch) {
        progress.stage(label + ": per-layer profile");
        Shape in = plan.inputShape();
        Tensor nhwc = Tensor.fromNchw(x, batch, in.channels(), in.height(), in.width());
        List<String> steps = plan.describe();
        long[] nanos = new long[steps.size()];
        settle();
        plan.profile(nhwc, pool.pool(), new long[steps.size()]);
        for (int r = 0; r < BenchSettings.PROFILE_RUNS; r++) {
            plan.profile(nhwc, pool.pool(), nanos);
        }
        Map<String, Double> peerMicros = Map.of();
        for (Engine e : engines) {
            if (e instanceof NodeProfiler p && e.name().equals("onnxruntime")) {
                settle();
                peerMicros = p.profileNodeMicros(x, batch, BenchSettings.PROFILE_RUNS);
            }
        }
        List<String> nodes = steps.stream()
                .map(s -> s.substring(0, Math.max(0, s.indexOf(": "))))
                .toList();
        Map<String, Double> peerByLayer = NodeNames.assign(peerMicros, nodes, graph);
        double totalMs = 0;
        for (long t : nanos) {
            totalMs += t / 1e6 / BenchSettings.PROFILE_RUNS;
        }
        List<LayerTime> layers = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            String node = nodes.get(i);
            double ms = nanos[i] / 1e6 / BenchSettings.PROFILE_RUNS;
            Double peerMicrosOfLayer = peerByLayer.get(node);
            layers.add(new LayerTime(
                    node,
                    steps.get(i).substring(steps.get(i).indexOf(": ") + 2),
                    ms,
                    ms / totalMs,
                    peerMicros.isEmpty() ? null : (peerMicrosOfLayer == null ? 0 : peerMicrosOfLayer / 1e3)));
        }
        return layers;
    }

    private static float[] randomInput(int n) {
        return GaussianArrays.of(n, new SplittableRandom(7));
    }

    private static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
