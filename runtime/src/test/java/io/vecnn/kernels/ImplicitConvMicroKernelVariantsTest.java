package io.vecnn.kernels;

import io.vecnn.kernels.generator.MicroKernelGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.vecnn.testing.RandomTensors.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every implicit-GEMM convolution microkernel variant, called directly, against a scalar reference that
 * sums A(r, k) = a[rowStart[r] + kOffset[k]] times the panel with {@link Math#fma} in k order: bit-identical
 * results on either register file. Cases: one tap, odd tap counts, windows that overlap or repeat (a short
 * pixel group repeats its last pixel), D with a leading dimension wider than the panel and at an offset
 * (nothing outside the MR × NR block may change), panels packed from fewer channels than NR, with and
 * without the ReLU applied in registers. Row and
 * channel tails through the tile, strides, padding and epilogues run through {@link Conv2dImplicitGemm}
 * in {@link Conv2dImplicitGemmTest}.
 */
class ImplicitConvMicroKernelVariantsTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(1808);

    @FunctionalInterface
    interface Kernel {
        void run(
                float[] a,
                int[] rowStart,
                int[] kOffset,
                int k,
                float[] b,
                int bOff,
                float[] init,
                int initOff,
                float[] d,
                int dOff,
                int ldd,
                boolean relu);
    }

    record Variant(String name, int mr, int nr, Kernel kernel) {}

    static final List<Variant> VARIANTS = List.of(
            new Variant(
                    "ImplicitConvMicroKernel6x4v",
                    ImplicitConvMicroKernel6x4v.MR,
                    ImplicitConvMicroKernel6x4v.NR,
                    ImplicitConvMicroKernel6x4v::run),
            new Variant(
                    "ImplicitConvMicroKernel6x2v",
                    ImplicitConvMicroKernel6x2v.MR,
                    ImplicitConvMicroKernel6x2v.NR,
                    ImplicitConvMicroKernel6x2v::run),
            new Variant(
                    "ImplicitConvMicroKernel6x1v",
                    ImplicitConvMicroKernel6x1v.MR,
                    ImplicitConvMicroKernel6x1v.NR,
                    ImplicitConvMicroKernel6x1v::run));

    @Test
    void everyGeneratedVariantIsTested() {
        List<String> generated = MicroKernelGenerator.VARIANTS.stream()
                .filter(v -> v.family().equals("ImplicitConvMicroKernel"))
                .map(MicroKernelGenerator.Variant::className)
                .sorted()
                .toList();
        assertEquals(generated, VARIANTS.stream().map(Variant::name).sorted().toList());
    }

    @Test
    void oneTap() {
        SplittableRandom r = SEEDS.split();
        for (Variant v : VARIANTS) {
            check(v, r, 1, false, 0, v.nr(), v.nr(), false);
            check(v, r, 1, false, 0, v.nr(), v.nr(), true);
        }
    }

    @RepeatedTest(20)
    void randomWindowsOffsetsAndChannelTails() {
        SplittableRandom r = SEEDS.split();
        for (Variant v : VARIANTS) {
            int k = 1 + r.nextInt(3 * 11 * 11);
            check(
                    v,
                    r,
                    k,
                    r.nextBoolean(),
                    r.nextInt(11),
                    v.nr() + r.nextInt(2 * VectorIsa.LANES + 1),
                    v.nr() - r.nextInt(v.nr()),
                    r.nextBoolean());
        }
    }

    private static void check(
            Variant v,
            SplittableRandom r,
            int k,
            boolean repeatLastPixel,
            int dOff,
            int ldd,
            int columns,
            boolean relu) {
        int mr = v.mr();
        int nr = v.nr();
        float[] a = gaussian(r, 4000);
        int[] kOffset = new int[k];
        for (int kk = 0; kk < k; kk++) {
            kOffset[kk] = r.nextInt(2000);
        }
        int[] rowStart = new int[mr];
        for (int i = 0; i < mr; i++) {
            rowStart[i] = repeatLastPixel && i > mr / 2 ? rowStart[mr / 2] : r.nextInt(2000);
        }
        float[] w = gaussian(r, columns * k);
        PackedMatrix packed = PackedMatrix.pack(w, 0, columns, k, nr);
        float sentinel = 3.5f;
        float[] d = new float[dOff + mr * ldd + 2];
        Arrays.fill(d, sentinel);
        int initOff = r.nextInt(7);
        float[] init = gaussian(r, initOff + nr);

        v.kernel()
                .run(a, rowStart, kOffset, k, packed.data(), packed.panelOffset(0), init, initOff, d, dOff, ldd, relu);

        String where = v.name() + " k=" + k + " dOff=" + dOff + " ldd=" + ldd + " columns=" + columns + " relu=" + relu;
        MicroKernelBlock.assertWritten(
                d,
                dOff,
                ldd,
                mr,
                nr,
                sentinel,
                (row, col) -> {
                    float want = init[initOff + col];
                    for (int kk = 0; kk < k; kk++) {
                        want = Math.fma(a[rowStart[row] + kOffset[kk]], col < columns ? w[col * k + kk] : 0f, want);
                    }
                    return relu && want < 0 ? 0f : want;
                },
                where);
    }
}
