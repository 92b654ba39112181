// Generated from src/main/kernel-templates/GemmMicroKernel.java.in by MicroKernelGenerator: edit the template.
package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[6 × 2V] = A[6 × K] · B[K × 2V], V = the preferred vector width ({@link VectorIsa#LANES}).
 * The loop keeps 12 accumulators, 2 B vectors and 1 broadcast live: 15 vector registers.
 * For 16-register files (x86-64 without AVX-512): 15 of 16 registers, the shape MLAS's and
 * XNNPACK's FMA3 kernels use. As an AVX2 JVM it ran about twice as fast as 6 x 4V (29 registers) and 8 x 2V
 * (19), which spill accumulators on every k step, and ahead of 5 x 2V and 4 x 2V, which load B more often per
 * FMA; 4 x 3V (16 of 16) left C2 no register and spilled as well.
 *
 * <p>A is read row by row (stride {@code lda}), B from one packed panel ({@link PackedMatrix}). Each
 * accumulator starts from its column's initial value and sums over k in order, the same order in every
 * variant, so a row gives the same bits whichever variant computes it.
 */
public final class GemmMicroKernel6x2v {
    public static final VectorSpecies<Float> SPECIES = VectorIsa.SPECIES;
    public static final int MR = 6;
    public static final int V = SPECIES.length();
    public static final int NR = 2 * V;
    /** Vector registers the loop keeps live. */
    public static final int REGISTERS = 15;

    private GemmMicroKernel6x2v() {
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
        FloatVector i1 = FloatVector.fromArray(SPECIES, init, initOff + 1 * V);
        FloatVector c00 = i0;
        FloatVector c01 = i1;
        FloatVector c10 = i0;
        FloatVector c11 = i1;
        FloatVector c20 = i0;
        FloatVector c21 = i1;
        FloatVector c30 = i0;
        FloatVector c31 = i1;
        FloatVector c40 = i0;
        FloatVector c41 = i1;
        FloatVector c50 = i0;
        FloatVector c51 = i1;
        int a0 = aOff + 0 * lda;
        int a1 = aOff + 1 * lda;
        int a2 = aOff + 2 * lda;
        int a3 = aOff + 3 * lda;
        int a4 = aOff + 4 * lda;
        int a5 = aOff + 5 * lda;
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * V);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * V);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + kk]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + kk]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[a4 + kk]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[a5 + kk]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
        }
        if (res != null) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, res, resOff + 0 * ldr + 0 * V));
            c01 = c01.add(FloatVector.fromArray(SPECIES, res, resOff + 0 * ldr + 1 * V));
            c10 = c10.add(FloatVector.fromArray(SPECIES, res, resOff + 1 * ldr + 0 * V));
            c11 = c11.add(FloatVector.fromArray(SPECIES, res, resOff + 1 * ldr + 1 * V));
            c20 = c20.add(FloatVector.fromArray(SPECIES, res, resOff + 2 * ldr + 0 * V));
            c21 = c21.add(FloatVector.fromArray(SPECIES, res, resOff + 2 * ldr + 1 * V));
            c30 = c30.add(FloatVector.fromArray(SPECIES, res, resOff + 3 * ldr + 0 * V));
            c31 = c31.add(FloatVector.fromArray(SPECIES, res, resOff + 3 * ldr + 1 * V));
            c40 = c40.add(FloatVector.fromArray(SPECIES, res, resOff + 4 * ldr + 0 * V));
            c41 = c41.add(FloatVector.fromArray(SPECIES, res, resOff + 4 * ldr + 1 * V));
            c50 = c50.add(FloatVector.fromArray(SPECIES, res, resOff + 5 * ldr + 0 * V));
            c51 = c51.add(FloatVector.fromArray(SPECIES, res, resOff + 5 * ldr + 1 * V));
        }
        if (relu) {
            c00 = c00.blend(0f, c00.compare(VectorOperators.LT, 0f));
            c01 = c01.blend(0f, c01.compare(VectorOperators.LT, 0f));
            c10 = c10.blend(0f, c10.compare(VectorOperators.LT, 0f));
            c11 = c11.blend(0f, c11.compare(VectorOperators.LT, 0f));
            c20 = c20.blend(0f, c20.compare(VectorOperators.LT, 0f));
            c21 = c21.blend(0f, c21.compare(VectorOperators.LT, 0f));
            c30 = c30.blend(0f, c30.compare(VectorOperators.LT, 0f));
            c31 = c31.blend(0f, c31.compare(VectorOperators.LT, 0f));
            c40 = c40.blend(0f, c40.compare(VectorOperators.LT, 0f));
            c41 = c41.blend(0f, c41.compare(VectorOperators.LT, 0f));
            c50 = c50.blend(0f, c50.compare(VectorOperators.LT, 0f));
            c51 = c51.blend(0f, c51.compare(VectorOperators.LT, 0f));
        }
        c00.intoArray(d, dOff + 0 * ldd + 0 * V);
        c01.intoArray(d, dOff + 0 * ldd + 1 * V);
        c10.intoArray(d, dOff + 1 * ldd + 0 * V);
        c11.intoArray(d, dOff + 1 * ldd + 1 * V);
        c20.intoArray(d, dOff + 2 * ldd + 0 * V);
        c21.intoArray(d, dOff + 2 * ldd + 1 * V);
        c30.intoArray(d, dOff + 3 * ldd + 0 * V);
        c31.intoArray(d, dOff + 3 * ldd + 1 * V);
        c40.intoArray(d, dOff + 4 * ldd + 0 * V);
        c41.intoArray(d, dOff + 4 * ldd + 1 * V);
        c50.intoArray(d, dOff + 5 * ldd + 0 * V);
        c51.intoArray(d, dOff + 5 * ldd + 1 * V);
    }
}
