// Generated from src/main/kernel-templates/GemmMicroKernel.java.in by MicroKernelGenerator: edit the template.
package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[6 × 4V] = A[6 × K] · B[K × 4V], V = the preferred vector width ({@link VectorIsa#LANES}).
 * The loop keeps 24 accumulators, 4 B vectors and 1 broadcast live: 29 vector registers.
 * For 32-register files (AVX-512, NEON, SVE) and panels of 4V columns: 29 of 32 registers;
 * each k step does 24 FMAs for 4 vector loads and 6 broadcasts, 0.42 loads per FMA where 8 × 2 vectors needs 0.63.
 *
 * <p>A is read row by row (stride {@code lda}), B from one packed panel ({@link PackedMatrix}). Each
 * accumulator starts from its column's initial value and sums over k in order, the same order in every
 * variant, so a row gives the same bits whichever variant computes it.
 */
public final class GemmMicroKernel6x4v {
    public static final VectorSpecies<Float> SPECIES = VectorIsa.SPECIES;
    public static final int MR = 6;
    public static final int V = SPECIES.length();
    public static final int NR = 4 * V;
    /** Vector registers the loop keeps live. */
    public static final int REGISTERS = 29;

    private GemmMicroKernel6x4v() {
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
        FloatVector i2 = FloatVector.fromArray(SPECIES, init, initOff + 2 * V);
        FloatVector i3 = FloatVector.fromArray(SPECIES, init, initOff + 3 * V);
        FloatVector c00 = i0;
        FloatVector c01 = i1;
        FloatVector c02 = i2;
        FloatVector c03 = i3;
        FloatVector c10 = i0;
        FloatVector c11 = i1;
        FloatVector c12 = i2;
        FloatVector c13 = i3;
        FloatVector c20 = i0;
        FloatVector c21 = i1;
        FloatVector c22 = i2;
        FloatVector c23 = i3;
        FloatVector c30 = i0;
        FloatVector c31 = i1;
        FloatVector c32 = i2;
        FloatVector c33 = i3;
        FloatVector c40 = i0;
        FloatVector c41 = i1;
        FloatVector c42 = i2;
        FloatVector c43 = i3;
        FloatVector c50 = i0;
        FloatVector c51 = i1;
        FloatVector c52 = i2;
        FloatVector c53 = i3;
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
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * V);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            c03 = x0.fma(b3, c03);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            c13 = x1.fma(b3, c13);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + kk]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            c23 = x2.fma(b3, c23);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + kk]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
            c33 = x3.fma(b3, c33);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[a4 + kk]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            c42 = x4.fma(b2, c42);
            c43 = x4.fma(b3, c43);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[a5 + kk]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            c52 = x5.fma(b2, c52);
            c53 = x5.fma(b3, c53);
        }
        if (res != null) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, res, resOff + 0 * ldr + 0 * V));
            c01 = c01.add(FloatVector.fromArray(SPECIES, res, resOff + 0 * ldr + 1 * V));
            c02 = c02.add(FloatVector.fromArray(SPECIES, res, resOff + 0 * ldr + 2 * V));
            c03 = c03.add(FloatVector.fromArray(SPECIES, res, resOff + 0 * ldr + 3 * V));
            c10 = c10.add(FloatVector.fromArray(SPECIES, res, resOff + 1 * ldr + 0 * V));
            c11 = c11.add(FloatVector.fromArray(SPECIES, res, resOff + 1 * ldr + 1 * V));
            c12 = c12.add(FloatVector.fromArray(SPECIES, res, resOff + 1 * ldr + 2 * V));
            c13 = c13.add(FloatVector.fromArray(SPECIES, res, resOff + 1 * ldr + 3 * V));
            c20 = c20.add(FloatVector.fromArray(SPECIES, res, resOff + 2 * ldr + 0 * V));
            c21 = c21.add(FloatVector.fromArray(SPECIES, res, resOff + 2 * ldr + 1 * V));
            c22 = c22.add(FloatVector.fromArray(SPECIES, res, resOff + 2 * ldr + 2 * V));
            c23 = c23.add(FloatVector.fromArray(SPECIES, res, resOff + 2 * ldr + 3 * V));
            c30 = c30.add(FloatVector.fromArray(SPECIES, res, resOff + 3 * ldr + 0 * V));
            c31 = c31.add(FloatVector.fromArray(SPECIES, res, resOff + 3 * ldr + 1 * V));
            c32 = c32.add(FloatVector.fromArray(SPECIES, res, resOff + 3 * ldr + 2 * V));
            c33 = c33.add(FloatVector.fromArray(SPECIES, res, resOff + 3 * ldr + 3 * V));
            c40 = c40.add(FloatVector.fromArray(SPECIES, res, resOff + 4 * ldr + 0 * V));
            c41 = c41.add(FloatVector.fromArray(SPECIES, res, resOff + 4 * ldr + 1 * V));
            c42 = c42.add(FloatVector.fromArray(SPECIES, res, resOff + 4 * ldr + 2 * V));
            c43 = c43.add(FloatVector.fromArray(SPECIES, res, resOff + 4 * ldr + 3 * V));
            c50 = c50.add(FloatVector.fromArray(SPECIES, res, resOff + 5 * ldr + 0 * V));
            c51 = c51.add(FloatVector.fromArray(SPECIES, res, resOff + 5 * ldr + 1 * V));
            c52 = c52.add(FloatVector.fromArray(SPECIES, res, resOff + 5 * ldr + 2 * V));
            c53 = c53.add(FloatVector.fromArray(SPECIES, res, resOff + 5 * ldr + 3 * V));
        }
        if (relu) {
            c00 = c00.blend(0f, c00.compare(VectorOperators.LT, 0f));
            c01 = c01.blend(0f, c01.compare(VectorOperators.LT, 0f));
            c02 = c02.blend(0f, c02.compare(VectorOperators.LT, 0f));
            c03 = c03.blend(0f, c03.compare(VectorOperators.LT, 0f));
            c10 = c10.blend(0f, c10.compare(VectorOperators.LT, 0f));
            c11 = c11.blend(0f, c11.compare(VectorOperators.LT, 0f));
            c12 = c12.blend(0f, c12.compare(VectorOperators.LT, 0f));
            c13 = c13.blend(0f, c13.compare(VectorOperators.LT, 0f));
            c20 = c20.blend(0f, c20.compare(VectorOperators.LT, 0f));
            c21 = c21.blend(0f, c21.compare(VectorOperators.LT, 0f));
            c22 = c22.blend(0f, c22.compare(VectorOperators.LT, 0f));
            c23 = c23.blend(0f, c23.compare(VectorOperators.LT, 0f));
            c30 = c30.blend(0f, c30.compare(VectorOperators.LT, 0f));
            c31 = c31.blend(0f, c31.compare(VectorOperators.LT, 0f));
            c32 = c32.blend(0f, c32.compare(VectorOperators.LT, 0f));
            c33 = c33.blend(0f, c33.compare(VectorOperators.LT, 0f));
            c40 = c40.blend(0f, c40.compare(VectorOperators.LT, 0f));
            c41 = c41.blend(0f, c41.compare(VectorOperators.LT, 0f));
            c42 = c42.blend(0f, c42.compare(VectorOperators.LT, 0f));
            c43 = c43.blend(0f, c43.compare(VectorOperators.LT, 0f));
            c50 = c50.blend(0f, c50.compare(VectorOperators.LT, 0f));
            c51 = c51.blend(0f, c51.compare(VectorOperators.LT, 0f));
            c52 = c52.blend(0f, c52.compare(VectorOperators.LT, 0f));
            c53 = c53.blend(0f, c53.compare(VectorOperators.LT, 0f));
        }
        c00.intoArray(d, dOff + 0 * ldd + 0 * V);
        c01.intoArray(d, dOff + 0 * ldd + 1 * V);
        c02.intoArray(d, dOff + 0 * ldd + 2 * V);
        c03.intoArray(d, dOff + 0 * ldd + 3 * V);
        c10.intoArray(d, dOff + 1 * ldd + 0 * V);
        c11.intoArray(d, dOff + 1 * ldd + 1 * V);
        c12.intoArray(d, dOff + 1 * ldd + 2 * V);
        c13.intoArray(d, dOff + 1 * ldd + 3 * V);
        c20.intoArray(d, dOff + 2 * ldd + 0 * V);
        c21.intoArray(d, dOff + 2 * ldd + 1 * V);
        c22.intoArray(d, dOff + 2 * ldd + 2 * V);
        c23.intoArray(d, dOff + 2 * ldd + 3 * V);
        c30.intoArray(d, dOff + 3 * ldd + 0 * V);
        c31.intoArray(d, dOff + 3 * ldd + 1 * V);
        c32.intoArray(d, dOff + 3 * ldd + 2 * V);
        c33.intoArray(d, dOff + 3 * ldd + 3 * V);
        c40.intoArray(d, dOff + 4 * ldd + 0 * V);
        c41.intoArray(d, dOff + 4 * ldd + 1 * V);
        c42.intoArray(d, dOff + 4 * ldd + 2 * V);
        c43.intoArray(d, dOff + 4 * ldd + 3 * V);
        c50.intoArray(d, dOff + 5 * ldd + 0 * V);
        c51.intoArray(d, dOff + 5 * ldd + 1 * V);
        c52.intoArray(d, dOff + 5 * ldd + 2 * V);
        c53.intoArray(d, dOff + 5 * ldd + 3 * V);
    }
}
