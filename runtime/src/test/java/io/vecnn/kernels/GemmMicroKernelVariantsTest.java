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
 * Every GEMM microkernel variant, called directly, against a scalar reference that sums each element with
 * {@link Math#fma} in k order, as the kernels do: the results must be bit-identical, whatever the register
 * file this JVM has (CI runs this natively and as an AVX2 JVM). Cases: k = 1 and 0, odd k, A read with a
 * leading dimension wider than k, sums started from a row of initial values at an offset (the bias), D
 * written with one wider than the panel and at an offset (nothing outside the MR × NR block may change), B packed from fewer columns than the panel (the N tail, whose
 * padding must come out as zeros), and the fused epilogue: no residual, one in its own array with its own
 * stride and offset, or D itself (the output written over the residual), each with and without the ReLU. Row tails (M not a multiple of MR) are the 4-, 2- and 1-row variants,
 * tested here too, and with epilogues through {@link Gemm#block} in {@link GemmTest}.
 */
class GemmMicroKernelVariantsTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(1807);

    @FunctionalInterface
    interface Kernel {
        void run(
                float[] a,
                int aOff,
                int lda,
                float[] b,
                int bOff,
                int k,
                float[] init,
                int initOff,
                float[] d,
                int dOff,
                int ldd,
                float[] res,
                int resOff,
                int ldr,
                boolean relu);
    }

    record Variant(String name, int mr, int nr, Kernel kernel) {}

    static final List<Variant> VARIANTS = List.of(
            new Variant(
                    "GemmMicroKernel6x4v", GemmMicroKernel6x4v.MR, GemmMicroKernel6x4v.NR, GemmMicroKernel6x4v::run),
            new Variant(
                    "GemmMicroKernel8x2v", GemmMicroKernel8x2v.MR, GemmMicroKernel8x2v.NR, GemmMicroKernel8x2v::run),
            new Variant(
                    "GemmMicroKernel6x2v", GemmMicroKernel6x2v.MR, GemmMicroKernel6x2v.NR, GemmMicroKernel6x2v::run),
            new Variant(
                    "GemmMicroKernel4x4v", GemmMicroKernel4x4v.MR, GemmMicroKernel4x4v.NR, GemmMicroKernel4x4v::run),
            new Variant(
                    "GemmMicroKernel2x4v", GemmMicroKernel2x4v.MR, GemmMicroKernel2x4v.NR, GemmMicroKernel2x4v::run),
            new Variant(
                    "GemmMicroKernel1x4v", GemmMicroKernel1x4v.MR, GemmMicroKernel1x4v.NR, GemmMicroKernel1x4v::run),
            new Variant(
                    "GemmMicroKernel4x2v", GemmMicroKernel4x2v.MR, GemmMicroKernel4x2v.NR, GemmMicroKernel4x2v::run),
            new Variant(
                    "GemmMicroKernel2x2v", GemmMicroKernel2x2v.MR, GemmMicroKernel2x2v.NR, GemmMicroKernel2x2v::run),
            new Variant(
                    "GemmMicroKernel1x2v", GemmMicroKernel1x2v.MR, GemmMicroKernel1x2v.NR, GemmMicroKernel1x2v::run),
            new Variant(
                    "GemmMicroKernel12x1v",
                    GemmMicroKernel12x1v.MR,
                    GemmMicroKernel12x1v.NR,
                    GemmMicroKernel12x1v::run),
            new Variant(
                    "GemmMicroKernel4x1v", GemmMicroKernel4x1v.MR, GemmMicroKernel4x1v.NR, GemmMicroKernel4x1v::run),
            new Variant(
                    "GemmMicroKernel2x1v", GemmMicroKernel2x1v.MR, GemmMicroKernel2x1v.NR, GemmMicroKernel2x1v::run),
            new Variant(
                    "GemmMicroKernel1x1v", GemmMicroKernel1x1v.MR, GemmMicroKernel1x1v.NR, GemmMicroKernel1x1v::run));

    @Test
    void everyGeneratedVariantIsTested() {
        List<String> generated = MicroKernelGenerator.VARIANTS.stream()
                .filter(v -> v.family().equals("GemmMicroKernel"))
                .map(MicroKernelGenerator.Variant::className)
                .sorted()
                .toList();
        assertEquals(generated, VARIANTS.stream().map(Variant::name).sorted().toList());
    }

    @Test
    void depthOneAndZero() {
        SplittableRandom r = SEEDS.split();
        for (Variant v : VARIANTS) {
            check(v, r, 1, 1, 0, 0, 0, v.nr(), Residual.NONE, false);
            check(v, r, 0, 0, 0, 0, 0, v.nr(), Residual.OWN, true);
        }
    }

    @RepeatedTest(20)
    void randomDepthsStridesOffsetsAndColumnTails() {
        SplittableRandom r = SEEDS.split();
        for (Variant v : VARIANTS) {
            int k = 1 + r.nextInt(300);
            int lda = k + r.nextInt(9);
            int columns = v.nr() - r.nextInt(v.nr());
            Residual residual = Residual.values()[r.nextInt(Residual.values().length)];
            check(
                    v,
                    r,
                    k,
                    lda,
                    r.nextInt(17),
                    r.nextInt(13),
                    r.nextInt(2 * VectorIsa.LANES + 1),
                    columns,
                    residual,
                    r.nextBoolean());
        }
    }

    /** Where the fused epilogue's residual comes from. */
    private enum Residual {
        NONE,
        /** An array of its own, with its own offset and row stride. */
        OWN,
        /** D itself, at the output's offsets: the output written over the residual. */
        IN_D
    }

    /**
     * Runs {@code v} on MR rows of a random A (row stride {@code lda}, from {@code aOff}) and a panel packed
     * from {@code columns} columns, into D with row stride NR + {@code extraLdd}, from {@code dOff}, adding
     * the residual and clamping at zero as asked.
     */
    private static void check(
            Variant v,
            SplittableRandom r,
            int k,
            int lda,
            int aOff,
            int dOff,
            int extraLdd,
            int columns,
            Residual residual,
            boolean relu) {
        int mr = v.mr();
        int nr = v.nr();
        float[] a = gaussian(r, aOff + mr * Math.max(lda, 1));
        float[] w = gaussian(r, columns * k);
        int bLead = r.nextInt(5);
        PackedMatrix packed = PackedMatrix.pack(w, 0, columns, k, nr);
        float[] b = new float[bLead + k * nr];
        System.arraycopy(packed.data(), packed.panelOffset(0), b, bLead, k * nr);
        int ldd = nr + extraLdd;
        float sentinel = -7.25f;
        float[] d = new float[dOff + mr * ldd + 3];
        Arrays.fill(d, sentinel);
        int initOff = r.nextInt(7);
        float[] init = gaussian(r, initOff + nr);
        int resOff = residual == Residual.IN_D ? dOff : r.nextInt(11);
        int ldr = residual == Residual.IN_D ? ldd : nr + r.nextInt(5);
        float[] res = residual == Residual.OWN ? gaussian(r, resOff + mr * ldr) : null;
        if (residual == Residual.IN_D) {
            res = d;
            float[] values = gaussian(r, mr * nr);
            for (int row = 0; row < mr; row++) {
                System.arraycopy(values, row * nr, d, dOff + row * ldd, nr);
            }
        }
        float[] before = res == null ? null : res.clone();

        v.kernel().run(a, aOff, lda, b, bLead, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);

        String where = v.name() + " k=" + k + " lda=" + lda + " aOff=" + aOff + " dOff=" + dOff + " ldd=" + ldd
                + " columns=" + columns + " residual=" + residual + " relu=" + relu;
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
                        want = Math.fma(a[aOff + row * lda + kk], col < columns ? w[col * k + kk] : 0f, want);
                    }
                    if (before != null) {
                        want += before[resOff + row * ldr + col];
                    }
                    return relu && want < 0 ? 0f : want;
                },
                where);
    }
}
