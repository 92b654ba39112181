// Generated from src/main/kernel-templates/ImplicitConvMicroKernel.java.in by MicroKernelGenerator: edit the template.
package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[6 × 4V] = A[6 × K] · B[K × 4V] with A(r, k) = {@code a[rowStart[r] + kOffset[k]]}: the
 * GEMM microkernel's product with A read straight from a zero-padded NHWC input instead of an im2col copy
 * (an indirect GEMM). Output pixel r's window starts at {@code rowStart[r]}, tap k lies {@code kOffset[k]}
 * further on, the same for every pixel; B is one packed panel whose K runs over (ky, kx, c), the OHWI order.
 * The loop keeps 24 accumulators, 4 B vectors and 1 broadcast live: 29 vector registers.
 * For 32-register files: 29 of 32 registers.
 *
 * <p>K is one flat loop on purpose: as a loop over kernel rows around a 21-tap inner loop, C2 unrolled the
 * inner loop and spilled the accumulators between its copies.
 */
public final class ImplicitConvMicroKernel6x4v {
    public static final VectorSpecies<Float> SPECIES = VectorIsa.SPECIES;
    public static final int MR = 6;
    public static final int V = SPECIES.length();
    public static final int NR = 4 * V;
    /** Vector registers the loop keeps live. */
    public static final int REGISTERS = 29;

    private ImplicitConvMicroKernel6x4v() {
    }

    /**
     * Writes the sums, each started from its column's value in {@code init} (the bias, or zeros), clamped at zero
     * if {@code relu}, in registers: a second pass over the stored sums cost the 27-deep 3x3 stem a sixth of its
     * time. The caller applies the rest of the epilogue.
     *
     * @param a        the padded input
     * @param rowStart where each of the MR pixels' windows starts in {@code a}
     * @param kOffset  for each of the {@code k} taps (ky, kx, c), its offset from a window's start
     * @param b        the packed panel, {@code k × NR} values from {@code bOff}
     * @param init     {@code NR} starting values from {@code initOff}, the same for every row
     * @param d        destination, row r at {@code dOff + r*ldd}, {@code NR} values each
     */
    public static void run(float[] a, int[] rowStart, int[] kOffset, int k, float[] b, int bOff, float[] init,
                           int initOff, float[] d, int dOff, int ldd, boolean relu) {
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
        int a0 = rowStart[0];
        int a1 = rowStart[1];
        int a2 = rowStart[2];
        int a3 = rowStart[3];
        int a4 = rowStart[4];
        int a5 = rowStart[5];
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            int j = kOffset[kk];
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * V);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + 1 * V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * V);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + j]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            c03 = x0.fma(b3, c03);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + j]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            c13 = x1.fma(b3, c13);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + j]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            c23 = x2.fma(b3, c23);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + j]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
            c33 = x3.fma(b3, c33);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[a4 + j]);
            c40 = x4.fma(b0, c40);
            c41 = x4.fma(b1, c41);
            c42 = x4.fma(b2, c42);
            c43 = x4.fma(b3, c43);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[a5 + j]);
            c50 = x5.fma(b0, c50);
            c51 = x5.fma(b1, c51);
            c52 = x5.fma(b2, c52);
            c53 = x5.fma(b3, c53);
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
