package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.kernels.ConvKernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * Chooses the open layers of a plan by timing them where they run: inside the whole network, at batch 1, on
 * the plan's threads. Timed alone, a layer finds its weights and input in cache and the JIT may still be
 * compiling; in the network the layers before it have evicted both. Winograd's weights are 4x the GEMM's, so
 * isolated timings favoured it on small maps and, early in a process, picked at random (ResNet-18's 64x56x56
 * layers went to GEMM, which is slower there in the network). Every round runs the plan once with every open
 * layer on each candidate, alternating which goes first; a layer's time is its fastest over the rounds,
 * summed over the layers that share a tuning key (same shapes and threads), which then all get the winner.
 * Candidates come in the heuristic's order of preference.
 */
final class NetworkTuning {
    /**
     * Untimed rounds first, until the plan stops getting faster: the kernels must be compiled by C2 before they
     * are compared. In a fresh process ResNet-18's Winograd layers ran several times slower at first, and a short
     * fixed warm-up per candidate picked GEMM for its 56x56 layers on that basis. Warm-up ends when
     * no variant's best run improved by {@link #PLATEAU} over the last {@link #PLATEAU_ROUNDS} rounds, after at
     * least {@link #MIN_WARMUP_NANOS} and at most {@link #MAX_WARMUP_NANOS}.
     */
    private static final long MIN_WARMUP_NANOS = 300_000_000L;

    private static final long MAX_WARMUP_NANOS = 4_000_000_000L;
    private static final int PLATEAU_ROUNDS = 5;
    private static final double PLATEAU = 0.03;
    /** Timed rounds: at least this many, and at least this long, so a burst of load on the VM hits both. */
    private static final int TIMED_ROUNDS = 6;

    private static final long TIMED_NANOS = 300_000_000L;
    private static final int MAX_TIMED_ROUNDS = 40;
    /**
     * Another candidate replaces the first (the heuristic's pick) only when it is this much faster. The shared
     * VM this was tuned on has spells in which memory-heavy kernels slow down: ResNet-18's 64x56x56 layers then
     * ran slightly slower by Winograd than by GEMM, and much faster otherwise. A choice is cached for
     * good, so a near-tie measured in such a spell must not cost the larger loss for the rest of the time.
     */
    private static final double MARGIN = 0.10;

    private NetworkTuning() {}

    /** {@code steps} with each open layer given its winning kernel; the choices go to {@code cache} if any. */
    static List<Step> decide(
            List<Step> steps,
            long[] bufferSizes,
            int inputBuffer,
            int outputBuffer,
            Shape input,
            Shape output,
            long macs,
            ForkJoinPool pool,
            TuningCache cache) {
        Map<String, List<Integer>> layersByKey = new LinkedHashMap<>();
        List<ConvCandidates> open = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) instanceof ConvStep s && s.conv() instanceof ConvCandidates c) {
                layersByKey.computeIfAbsent(c.tuningKey, k -> new ArrayList<>()).add(i);
                open.add(c);
            }
        }
        if (open.isEmpty()) {
            return steps;
        }
        int variants = open.get(0).candidates.size();
        long[][] best = time(
                new Plan(steps, bufferSizes, inputBuffer, outputBuffer, input, output, macs),
                open,
                variants,
                input,
                pool,
                steps.size());
        List<Step> decided = new ArrayList<>(steps);
        Map<String, String> choices = new LinkedHashMap<>();
        layersByKey.forEach((key, layers) -> {
            long[] totals = new long[variants];
            for (int v = 0; v < variants; v++) {
                for (int layer : layers) {
                    totals[v] += best[v][layer];
                }
            }
            int chosen = 0;
            for (int v = 1; v < variants; v++) {
                if (totals[v] < totals[chosen] && totals[v] < totals[0] * (1 - MARGIN)) {
                    chosen = v;
                }
            }
            for (int i : layers) {
                ConvStep s = (ConvStep) steps.get(i);
                ConvKernel kernel = ((ConvCandidates) s.conv()).candidates.get(chosen);
                decided.set(i, new ConvStep(s.name(), s.op(), kernel, s.input(), s.output(), s.to(), s.residual()));
                choices.put(key, ConvAlgorithms.tuningName(kernel));
            }
        });
        if (cache != null) {
            cache.putAll(choices);
        }
        return decided;
    }

    /** Per variant and step, the fastest time the step took over the timed rounds. */
    private static long[][] time(
            Plan plan, List<ConvCandidates> open, int variants, Shape input, ForkJoinPool pool, int stepCount) {
        Tensor x = new Tensor(1, input.height(), input.width(), input.channels(), new float[(int) input.size()]);
        long[] nanos = new long[stepCount];
        long[][] best = new long[variants][stepCount];
        for (long[] b : best) {
            Arrays.fill(b, Long.MAX_VALUE);
        }
        warmUp(plan, open, variants, x, pool);
        long timedEnd = System.nanoTime() + TIMED_NANOS;
        for (int round = 0;
                round < MAX_TIMED_ROUNDS && (round < TIMED_ROUNDS || System.nanoTime() < timedEnd);
                round++) {
            for (int k = 0; k < variants; k++) {
                int v = (round + k) % variants;
                select(open, v);
                Arrays.fill(nanos, 0);
                plan.profile(x, pool, nanos);
                for (int i = 0; i < stepCount; i++) {
                    best[v][i] = Math.min(best[v][i], nanos[i]);
                }
            }
        }
        return best;
    }

    private static void warmUp(Plan plan, List<ConvCandidates> open, int variants, Tensor x, ForkJoinPool pool) {
        long start = System.nanoTime();
        long[] best = new long[variants];
        Arrays.fill(best, Long.MAX_VALUE);
        int lastImprovement = 0;
        for (int round = 0; ; round++) {
            for (int v = 0; v < variants; v++) {
                select(open, v);
                long runStart = System.nanoTime();
                plan.run(x, pool);
                long took = System.nanoTime() - runStart;
                if (took < best[v] * (1 - PLATEAU)) {
                    lastImprovement = round;
                }
                best[v] = Math.min(best[v], took);
            }
            long elapsed = System.nanoTime() - start;
            if (elapsed > MAX_WARMUP_NANOS
                    || (elapsed > MIN_WARMUP_NANOS && round - lastImprovement >= PLATEAU_ROUNDS)) {
                return;
            }
        }
    }

    private static void select(List<ConvCandidates> open, int variant) {
        for (ConvCandidates c : open) {
            c.current = variant;
        }
    }
}
