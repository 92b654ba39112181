package io.vecnn;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a model at each batch size until its run time settles, within a time budget: the loop behind
 * {@link Model#warmUp(Duration, int...)}.
 *
 * <p>Runs are grouped in windows of at least {@link #MIN_WINDOW_RUNS} runs and {@link #MIN_WINDOW_NANOS}; a batch size
 * has settled when a window's median run time is no more than {@link #TOLERANCE} below the previous window's (the runs
 * stopped getting faster) and the JIT spent at most {@link #JIT_SHARE} of either window's time on compilations finished
 * in it. The median ignores the odd slow run (a GC, a neighbour's burst on a shared machine), and the test is one-sided
 * because warming only ever makes runs faster: a window slower than the one before is noise, and asking for two-sided
 * agreement would let that noise keep a shared machine from ever settling. Flat medians alone are not enough: while C2
 * compiles a large kernel method, which can take tens to hundreds of milliseconds, the runs stay on C1 code at a
 * steady, slow pace; hence windows of 100 ms or more, and the JIT's own clock ({@link
 * CompilationMXBean#getTotalCompilationTime()}), which advances whenever a compilation finishes in this JVM. Not a
 * zero: once ResNet-18's runs had reached their steady time, the JIT still finished small compilations in most windows
 * for seconds, a trickle that asking for silence waited out for seconds at batch 1 and, beside a server's health
 * probes, past their shares of the budget at larger batches. A kernel compile that matters is a large share of a
 * window at once. Unrelated compilations (other threads of the application) only
 * make the warm-up run longer, never end it early, and the budget bounds that.
 *
 * <p>{@code NetworkTuning} already runs batch 1 at load until its plateau when it times kernels (a tuning
 * cache miss under {@code KernelSelection.MEASURE}); then the first two windows here find nothing left to
 * improve and batch 1 settles after them. With the kernels' choices cached or fixed, nothing ran at load
 * and this is where the JIT compiles them.
 */
final class Warmup {
    private static final int MIN_WINDOW_RUNS = 5;
    private static final long MIN_WINDOW_NANOS = 100_000_000L;
    /** A tiny network fills a 100 ms window with thousands of runs; a median of 4,096 is plenty. */
    private static final int MAX_WINDOW_RUNS = 4096;

    private static final double TOLERANCE = 0.05;
    private static final double JIT_SHARE = 0.02;
    private static final CompilationMXBean JIT = jit();

    /** One run of the model at a batch, abandoned at {@code deadline} ({@link System#nanoTime()}) between layers. */
    interface Runner {
        void run(float[] nchw, int batch, float[] out, long deadline);
    }

    private Warmup() {}

    /**
     * Warms each of {@code batches} (distinct, ascending, each checked by the caller) in turn; each gets an
     * equal share of what is left of {@code budget}, so time a batch size did not need goes to the next.
     *
     * @param inputValues  values of one input image
     * @param outputValues values of one image's output
     */
    static WarmupReport run(Runner runner, int inputValues, int outputValues, int[] batches, Duration budget) {
        long start = System.nanoTime();
        long end = start + saturatedNanos(budget);
        List<WarmupReport.Batch> done = new ArrayList<>();
        // Allocated once for the whole warm-up: the runs themselves allocate only what Model.run does.
        long[] window = new long[MAX_WINDOW_RUNS];
        for (int i = 0; i < batches.length; i++) {
            long now = System.nanoTime();
            long share = Math.max(0, end - now) / (batches.length - i);
            done.add(batch(runner, batches[i], inputValues, outputValues, now + share, window));
        }
        return new WarmupReport(done, Duration.ofNanos(System.nanoTime() - start), budget);
    }

    private static WarmupReport.Batch batch(
            Runner runner, int batch, int inputValues, int outputValues, long deadline, long[] window) {
        long start = System.nanoTime();
        float[] in = input(batch * inputValues);
        float[] out = new float[batch * outputValues];
        int runs = 0;
        long previousMedian = 0;
        boolean previousQuiet = false;
        long median = 0;
        while (true) {
            long windowStart = System.nanoTime();
            long jitBefore = compileMillis();
            int n = 0;
            boolean stopped = false;
            while (n < MIN_WINDOW_RUNS || (n < MAX_WINDOW_RUNS && System.nanoTime() - windowStart < MIN_WINDOW_NANOS)) {
                long runStart = System.nanoTime();
                if (runStart - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                    stopped = true;
                    break;
                }
                try {
                    runner.run(in, batch, out, deadline);
                } catch (VecnnTimeoutException e) {
                    stopped = true;
                    break;
                }
                window[n++] = System.nanoTime() - runStart;
                runs++;
            }
            if (n > 0) {
                median = median(window, n);
            }
            if (stopped) {
                return new WarmupReport.Batch(
                        batch, runs, Duration.ofNanos(System.nanoTime() - start), false, Duration.ofNanos(median));
            }
            long windowMillis = (System.nanoTime() - windowStart) / 1_000_000;
            boolean quiet = compileMillis() - jitBefore <= JIT_SHARE * windowMillis;
            if (previousMedian > 0 && quiet && previousQuiet && median >= previousMedian * (1 - TOLERANCE)) {
                return new WarmupReport.Batch(
                        batch, runs, Duration.ofNanos(System.nanoTime() - start), true, Duration.ofNanos(median));
            }
            previousMedian = median;
            previousQuiet = quiet;
        }
    }

    /**
     * Values like a normalised image's (standard normal, fixed seed), not zeros: the JIT compiles for the
     * branches it sees taken, and an input of zeros would leave, say, ReLU's negative side never seen.
     */
    private static float[] input(int values) {
        SplittableRandom random = new SplittableRandom(18);
        float[] x = new float[values];
        for (int i = 0; i < values; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    /** The lower median of the first {@code n} values, sorting them in place. */
    private static long median(long[] values, int n) {
        Arrays.sort(values, 0, n);
        return values[(n - 1) / 2];
    }

    /** Milliseconds the JIT has spent on finished compilations so far; 0 where the JVM does not say. */
    private static long compileMillis() {
        return JIT == null ? 0 : JIT.getTotalCompilationTime();
    }

    private static CompilationMXBean jit() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit : null;
    }

    /** Nanoseconds of a budget, at most about 146 years: Duration.toNanos overflows past 292. */
    private static long saturatedNanos(Duration budget) {
        return budget.compareTo(Duration.ofDays(365L * 146)) > 0
                ? Duration.ofDays(365L * 146).toNanos()
                : budget.toNanos();
    }
}
