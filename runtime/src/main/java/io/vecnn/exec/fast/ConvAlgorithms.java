package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.graph.Op;
import io.vecnn.kernels.Conv2dGemm;
import io.vecnn.kernels.Conv2dImplicitGemm;
import io.vecnn.kernels.Conv2dRowVectors;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.DepthwiseConvNhwc;
import io.vecnn.kernels.GroupedConvNhwc;
import io.vecnn.kernels.VectorIsa;
import io.vecnn.kernels.WinogradF43;

import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/**
 * Picks the algorithm of each convolution. Depthwise and other grouped convolutions have their own kernels
 * ({@link DepthwiseConvNhwc}, {@link GroupedConvNhwc}). Stems with a few input channels read their windows in place
 * ({@link Conv2dImplicitGemm}), or, with fewer output channels than a vector's lanes, run with lanes along
 * the output row ({@link Conv2dRowVectors}). Winograd F(4x4,3x3) does a quarter of the multiplications of a
 * 3x3 stride-1 convolution but pays for its transforms and reads 4x the weights (36 transformed positions
 * instead of 9 taps): it wins on large maps, loses on small maps with wide layers. The blocked GEMM (direct
 * for 1x1, im2col otherwise) handles everything. Below {@link #WINOGRAD_MIN_TILES} tiles the GEMM is used
 * outright; above, the heuristic picks Winograd, and {@link KernelSelection#MEASURE} leaves the layer open
 * for {@link NetworkTuning} to time both in the network, unless the {@link TuningCache} already holds this
 * machine's choice for the layer.
 */
final class ConvAlgorithms {
    /** Below this many input or output channels the transforms cost more than the multiplications saved. */
    static final int WINOGRAD_MIN_CHANNELS = 16;
    /** Below this many 4x4 output tiles per image (about a 13x13 map) the 4x larger weights dominate. */
    static final int WINOGRAD_MIN_TILES = 16;

    private static final String WINOGRAD = "winograd_f43";
    private static final String GEMM = "gemm";
    private static final String GROUPED = "grouped";

    private ConvAlgorithms() {}

    static ConvKernel choose(
            Op.Conv2d c,
            float[] weight,
            float[] bias,
            Shape in,
            Shape out,
            KernelSelection selection,
            ForkJoinPool pool) {
        if (DepthwiseConvNhwc.applies(c, in)) {
            return new DepthwiseConvNhwc(c, weight, bias, in, out);
        }
        if (GroupedConvNhwc.applies(c, in)) {
            // Groups up to a vector wide: the GEMM's microkernel would be mostly empty lanes. Wider groups: the
            // GEMM's register blocking usually wins, but not always (measured both ways on both widths).
            boolean narrow = c.outChannels() / c.groups() <= VectorIsa.LANES;
            Supplier<ConvKernel> grouped = () -> new GroupedConvNhwc(c, weight, bias, in, out);
            Supplier<ConvKernel> gemm = () -> new Conv2dGemm(c, weight, bias, in, out);
            return choose(
                    narrow ? GROUPED : GEMM,
                    narrow ? grouped : gemm,
                    narrow ? GEMM : GROUPED,
                    narrow ? gemm : grouped,
                    "grouped conv " + in + " -> " + out + " g" + c.groups() + " k" + c.kernelH() + "x" + c.kernelW()
                            + " s" + c.strideH() + " p" + c.padH(),
                    selection,
                    pool);
        }
        if (Conv2dRowVectors.applies(c, in)) {
            return new Conv2dRowVectors(c, weight, bias, in, out);
        }
        if (Conv2dImplicitGemm.applies(c, in)) {
            return new Conv2dImplicitGemm(c, weight, bias, in, out);
        }
        boolean winogradApplies = c.kernelH() == 3
                && c.kernelW() == 3
                && c.strideH() == 1
                && c.strideW() == 1
                && c.dilationH() == 1
                && c.dilationW() == 1
                && c.groups() == 1
                && c.padH() == c.padW()
                && in.channels() >= WINOGRAD_MIN_CHANNELS
                && out.channels() >= WINOGRAD_MIN_CHANNELS;
        if (!winogradApplies) {
            return new Conv2dGemm(c, weight, bias, in, out);
        }
        int tiles = ((out.height() + 3) / 4) * ((out.width() + 3) / 4);
        if (tiles < WINOGRAD_MIN_TILES) {
            // Timed alone, Winograd can win on a few tiles; in the network its 4x larger weights come from
            // memory and it loses (GoogLeNet's 7x7 layers, measured in the network against im2col GEMM).
            return new Conv2dGemm(c, weight, bias, in, out);
        }
        return choose(
                WINOGRAD,
                () -> new WinogradF43(weight, bias, c.padH(), in, out),
                GEMM,
                () -> new Conv2dGemm(c, weight, bias, in, out),
                "conv " + in + " -> " + out + " k" + c.kernelH() + "x" + c.kernelW() + " s" + c.strideH() + " p"
                        + c.padH(),
                selection,
                pool);
    }

    /**
     * The heuristic's pick outright, this machine's recorded choice for the layer, or both for
     * {@link NetworkTuning} to time in the network.
     */
    private static ConvKernel choose(
            String preferredName,
            Supplier<ConvKernel> preferred,
            String alternativeName,
            Supplier<ConvKernel> alternative,
            String layer,
            KernelSelection selection,
            ForkJoinPool pool) {
        if (selection == KernelSelection.HEURISTIC) {
            return preferred.get();
        }
        TuningCache cache = TuningCache.current();
        int threads = pool == null ? 1 : pool.getParallelism();
        String key = TuningCache.key(layer, threads);
        String known = cache == null ? null : cache.get(key);
        if (preferredName.equals(known)) {
            return preferred.get();
        }
        if (alternativeName.equals(known)) {
            return alternative.get();
        }
        return new ConvCandidates(key, List.of(preferred.get(), alternative.get()));
    }

    /** The name a choice of {@link #choose} is recorded under in the tuning cache. */
    static String tuningName(ConvKernel chosen) {
        if (chosen instanceof WinogradF43) {
            return WINOGRAD;
        }
        return chosen instanceof GroupedConvNhwc ? GROUPED : GEMM;
    }
}
