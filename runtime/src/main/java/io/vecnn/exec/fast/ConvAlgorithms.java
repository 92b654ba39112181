package io.vecnn.exec.fast;

import io.vecnn.graph.Op;
import io.vecnn.graph.Shape;
import io.vecnn.kernels.Conv2dGemm;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.WinogradF43;
import io.vecnn.kernels.WorkerTeam;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Picks the algorithm of each convolution. Winograd F(4x4,3x3) does a quarter of the multiplications of a
 * 3x3 stride-1 convolution but pays for its transforms and reads 4x the weights (36 transformed positions
 * instead of 9 taps): it wins on large maps, loses on small maps with wide layers. The blocked GEMM (direct
 * for 1x1, im2col otherwise) handles everything. Below {@link #WINOGRAD_MIN_TILES} tiles the GEMM is used
 * outright; above, {@link KernelSelection#MEASURE} times both candidates on this machine and the heuristic
 * picks Winograd. Measured choices are remembered in the {@link TuningCache}, so every process on the
 * machine makes the same ones.
 */
final class ConvAlgorithms {
    /** Below this many input or output channels the transforms cost more than the multiplications saved. */
    static final int WINOGRAD_MIN_CHANNELS = 16;
    /** Below this many 4x4 output tiles per image (about a 13x13 map) the 4x larger weights dominate. */
    static final int WINOGRAD_MIN_TILES = 16;
    private static final int WARMUP_RUNS = 3;
    /**
     * Warm-up also lasts this long per candidate: early in a process the kernels still run interpreted or
     * C1-compiled, and a comparison of unoptimised code picks at random.
     */
    private static final long WARMUP_NANOS = 30_000_000;
    private static final int TIMED_RUNS = 5;
    private static final String WINOGRAD = "winograd_f43";
    private static final String GEMM = "gemm";

    private ConvAlgorithms() {
    }

    static ConvKernel choose(Op.Conv2d c, float[] weight, float[] bias, Shape in, Shape out, KernelSelection selection,
                             ForkJoinPool pool) {
        boolean winogradApplies = c.kernelH() == 3 && c.kernelW() == 3 && c.strideH() == 1 && c.strideW() == 1
                && c.dilationH() == 1 && c.dilationW() == 1 && c.groups() == 1 && c.padH() == c.padW()
                && in.channels() >= WINOGRAD_MIN_CHANNELS && out.channels() >= WINOGRAD_MIN_CHANNELS;
        if (!winogradApplies) {
            return new Conv2dGemm(c, weight, bias, in, out);
        }
        int tiles = ((out.height() + 3) / 4) * ((out.width() + 3) / 4);
        if (tiles < WINOGRAD_MIN_TILES) {
            // Timed alone, Winograd can win on a few tiles; in the network its 4x larger weights come from
            // memory and it loses (GoogLeNet's 7x7 layers: 0.35 ms against ORT's 0.19).
            return new Conv2dGemm(c, weight, bias, in, out);
        }
        if (selection == KernelSelection.HEURISTIC) {
            return new WinogradF43(weight, bias, c.padH(), in, out);
        }
        TuningCache cache = TuningCache.current();
        int threads = pool == null ? 1 : pool.getParallelism();
        String key = TuningCache.key("conv " + in + " -> " + out + " k" + c.kernelH() + "x" + c.kernelW() + " s"
                + c.strideH() + " p" + c.padH(), threads);
        String known = cache == null ? null : cache.get(key);
        if (WINOGRAD.equals(known)) {
            return new WinogradF43(weight, bias, c.padH(), in, out);
        }
        if (GEMM.equals(known)) {
            return new Conv2dGemm(c, weight, bias, in, out);
        }
        List<ConvKernel> candidates = new ArrayList<>();
        candidates.add(new WinogradF43(weight, bias, c.padH(), in, out));
        candidates.add(new Conv2dGemm(c, weight, bias, in, out));
        ConvKernel chosen = fastest(candidates, in, out, pool);
        if (cache != null) {
            cache.put(key, chosen instanceof WinogradF43 ? WINOGRAD : GEMM);
        }
        return chosen;
    }

    /**
     * Times each candidate at batch 1 on zeros (the cost does not depend on the values) and keeps the fastest.
     * Candidates are warmed up first, so the JIT has compiled their loops, then timed in alternation, so a
     * burst of load on the machine hits them alike — on a team of the pool's workers, as plan runs use it.
     */
    private static ConvKernel fastest(List<ConvKernel> candidates, Shape in, Shape out, ForkJoinPool pool) {
        int[] winner = new int[1];
        WorkerTeam.run(pool, () -> winner[0] = winner(candidates, in, out, pool));
        return candidates.get(winner[0]);
    }

    private static int winner(List<ConvKernel> candidates, Shape in, Shape out, ForkJoinPool pool) {
        float[] x = new float[(int) in.size()];
        float[] y = new float[(int) out.size()];
        float[][] scratch = new float[candidates.size()][];
        long[] best = new long[candidates.size()];
        for (int i = 0; i < candidates.size(); i++) {
            scratch[i] = new float[candidates.get(i).scratchFloats(1)];
            best[i] = Long.MAX_VALUE;
            long end = System.nanoTime() + WARMUP_NANOS;
            for (int w = 0; w < WARMUP_RUNS || System.nanoTime() < end; w++) {
                candidates.get(i).run(x, 1, y, 0, out.channels(), null, true, pool, scratch[i]);
            }
        }
        for (int round = 0; round < TIMED_RUNS; round++) {
            for (int i = 0; i < candidates.size(); i++) {
                long start = System.nanoTime();
                candidates.get(i).run(x, 1, y, 0, out.channels(), null, true, pool, scratch[i]);
                best[i] = Math.min(best[i], System.nanoTime() - start);
            }
        }
        int winner = 0;
        for (int i = 1; i < best.length; i++) {
            if (best[i] < best[winner]) {
                winner = i;
            }
        }
        return winner;
    }
}
