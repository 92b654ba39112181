// Generated from src/main/kernel-templates/GemmMicroKernel.java.in by MicroKernelGenerator: edit the template.
package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[12 × 1V] = A[12 × K] · B[K × 1V], V = the preferred vector width ({@link VectorIsa#LANES}).
 * The loop keeps 12 accumulators, 1 B vectors and 1 broadcast live: 14 vector registers.
 * For outputs at most one vector wide (MobileNet's and EfficientNet's 16-channel projection at
 * 112x112 on AVX-512), where wider panels compute mostly padding: 14 registers, so any register file.
 *
 * <p>A is read row by row (stride {@code lda}), B from one packed panel ({@link PackedMatrix}). Each
 * accumulator starts from its column's initial value and sums over k in order, the same order in every
 * variant, so a row gives the same bits whichever variant computes it.
 */
public final class GemmMicroKernel12x1v {
    public static final VectorSpecies<Float> SPECIES = VectorIsa.SPECIES;
    public static final int MR = 12;
    public static final int V = SPECIES.length();
    public static final int NR = 1 * V;
    /** Vector registers the loop keeps live. */
    public static final int REGISTERS = 14;

    private GemmMicroKernel12x1v() {
    }

    /**
     * Writes the sums, each started from its column's value in {@code init} (the bias, or zeros), plus the
     * residual if there is one, clamped at zero if {@code relu}; the caller applies any other activation. The
     * residual and the ReLU are applied in registers: through a tile and a second pass, each vector was stored,
     * loaded back and stored again, which cost a 64-deep 1x1 convolution a tenth of its time. The residual may
     * be {@code d} itself at the same offsets (each element is read before it is written). Every vector stays a
     * local of this one method: handing vectors to a call C2 does not inline would box them, which costs more
     * than the GEMM.
     *
     * @param a      A, rows {@code aOff + r*lda}, r in [0, MR)
     * @param b      the packed panel, {@code k × NR} values from {@code bOff}
     * @param init   {@code NR} starting values from {@code initOff}, the same for every row
     * @param d      destination, row r at {@code dOff + r*ldd}, {@code NR} values each
     * @param res    added to the sums, row r at {@code resOff + r*ldr}, or null
     */
    public static void run(
            float[] a, int aOff, int lda, float[] b, int bOff, int k, float[] init, int initOff, float[] d, int dOff,
            int ldd, float[] res, int resOff, int ldr, boolean relu) {
        FloatVector i0 = FloatVector.fromArray(SPECIES, init, initOff + 0 * V);
        FloatVector c00 = i0;
        FloatVector c10 = i0;
        FloatVector c20 = i0;
        FloatVector c30 = i0;
        FloatVector c40 = i0;
        FloatVector c50 = i0;
        FloatVector c60 = i0;
        FloatVector c70 = i0;
        FloatVector c80 = i0;
        FloatVector c90 = i0;
        FloatVector c100 = i0;
        FloatVector c110 = i0;
        int a0 = aOff + 0 * lda;
        int a1 = aOff + 1 * lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
        int a6 = aOff + 6 * lda;
        int a7 = aOff + 7 * lda;
        int a8 = aOff + 8 * lda;
        int a9 = aOff + 9 * lda;
        int a10 = aOff + 10 * lda;
        int a11 = aOff + 11 * lda;
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * V);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x0.fma(b0, c00);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x1.fma(b0, c10);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + kk]);
            c20 = x2.fma(b0, c20);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + kk]);
            c30 = x3.fma(b0, c30);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[a4 + kk]);
            c40 = x4.fma(b0, c40);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[a5 + kk]);
            c50 = x5.fma(b0, c50);
            FloatVector x6 = FloatVector.broadcast(SPECIES, a[a6 + kk]);
            c60 = x6.fma(b0, c60);
            FloatVector x7 = FloatVector.broadcast(SPECIES, a[a7 + kk]);
            c70 = x7.fma(b0, c70);
            FloatVector x8 = FloatVector.broadcast(SPECIES, a[a8 + kk]);
            c80 = x8.fma(b0, c80);
            FloatVector x9 = FloatVector.broadcast(SPECIES, a[a9 + kk]);
            c90 = x9.fma(b0, c90);
            FloatVector x10 = FloatVector.broadcast(SPECIES, a[a10 + kk]);
            c100 = x10.fma(b0, c100);
            FloatVector x11 = FloatVector.broadcast(SPECIES, a[a11 + kk]);
            c110 = x11.fma(b0, c110);
        }
        if (res != null) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, res, resOff + 0 * ldr + 0 * V));
            c10 = c10.add(FloatVector.fromArray(SPECIES, res, resOff + 1 * ldr + 0 * V));
            c20 = c20.add(FloatVector.fromArray(SPECIES, res, resOff + 2 * ldr + 0 * V));
            c30 = c30.add(FloatVector.fromArray(SPECIES, res, resOff + 3 * ldr + 0 * V));
            c40 = c40.add(FloatVector.fromArray(SPECIES, res, resOff + 4 * ldr + 0 * V));
            c50 = c50.add(FloatVector.fromArray(SPECIES, res, resOff + 5 * ldr + 0 * V));
            c60 = c60.add(FloatVector.fromArray(SPECIES, res, resOff + 6 * ldr + 0 * V));
            c70 = c70.add(FloatVector.fromArray(SPECIES, res, resOff + 7 * ldr + 0 * V));
            c80 = c80.add(FloatVector.fromArray(SPECIES, res, resOff + 8 * ldr + 0 * V));
            c90 = c90.add(FloatVector.fromArray(SPECIES, res, resOff + 9 * ldr + 0 * V));
            c100 = c100.add(FloatVector.fromArray(SPECIES, res, resOff + 10 * ldr + 0 * V));
            c110 = c110.add(FloatVector.fromArray(SPECIES, res, resOff + 11 * ldr + 0 * V));
        }
        if (relu) {
            c00 = c00.blend(0f, c00.compare(VectorOperators.LT, 0f));
            c10 = c10.blend(0f, c10.compare(VectorOperators.LT, 0f));
            c20 = c20.blend(0f, c20.compare(VectorOperators.LT, 0f));
            c30 = c30.blend(0f, c30.compare(VectorOperators.LT, 0f));
            c40 = c40.blend(0f, c40.compare(VectorOperators.LT, 0f));
            c50 = c50.blend(0f, c50.compare(VectorOperators.LT, 0f));
            c60 = c60.blend(0f, c60.compare(VectorOperators.LT, 0f));
            c70 = c70.blend(0f, c70.compare(VectorOperators.LT, 0f));
            c80 = c80.blend(0f, c80.compare(VectorOperators.LT, 0f));
            c90 = c90.blend(0f, c90.compare(VectorOperators.LT, 0f));
            c100 = c100.blend(0f, c100.compare(VectorOperators.LT, 0f));
            c110 = c110.blend(0f, c110.compare(VectorOperators.LT, 0f));
        }
        c00.intoArray(d, dOff + 0 * ldd + 0 * V);
        c10.intoArray(d, dOff + 1 * ldd + 0 * V);
        c20.intoArray(d, dOff + 2 * ldd + 0 * V);
        c30.intoArray(d, dOff + 3 * ldd + 0 * V);
        c40.intoArray(d, dOff + 4 * ldd + 0 * V);
        c50.intoArray(d, dOff + 5 * ldd + 0 * V);
        c60.intoArray(d, dOff + 6 * ldd + 0 * V);
        c70.intoArray(d, dOff + 7 * ldd + 0 * V);
        c80.intoArray(d, dOff + 8 * ldd + 0 * V);
        c90.intoArray(d, dOff + 9 * ldd + 0 * V);
        c100.intoArray(d, dOff + 10 * ldd + 0 * V);
        c110.intoArray(d, dOff + 11 * ldd + 0 * V);
    }
}
