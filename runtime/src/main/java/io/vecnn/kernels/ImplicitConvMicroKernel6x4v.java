package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[6 × 4V] = A[6 × K] · B[K × 4V] with A(r, k) = {@code a[rowStart[r] + kOffset[k]]}: the
 * {@link GemmMicroKernel6x4v} product with A read straight from a zero-padded NHWC input instead of an im2col
 * copy (an indirect GEMM). Output pixel r's window starts at {@code rowStart[r]}, tap k lies {@code kOffset[k]}
 * further on, the same for every pixel; B is one packed panel whose K runs over (ky, kx, c), the OHWI order.
 * Same registers and loads per FMA as the GEMM kernel, plus one offset load per k. K is one flat loop on
 * purpose: as a loop over kernel rows around a 21-tap inner loop, C2 unrolled the inner loop, spilled the 24
 * accumulators between its copies, and the stem ran at half speed once that compilation replaced the first.
 */
public final class ImplicitConvMicroKernel6x4v {
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    public static final int MR = 6;
    public static final int V = SPECIES.length();
    public static final int NR = 4 * V;

    private ImplicitConvMicroKernel6x4v() {
    }

    /**
     * Writes the raw sums; the caller applies the epilogue.
     *
     * @param a        the padded input
     * @param rowStart where each of the 6 pixels' windows starts in {@code a}
     * @param kOffset  for each of the {@code k} taps (ky, kx, c), its offset from a window's start
     * @param b        the packed panel, {@code k × NR} values from {@code bOff}
     * @param d        destination, row r at {@code dOff + r*ldd}, {@code NR} values each
     */
    public static void run(float[] a, int[] rowStart, int[] kOffset, int k, float[] b, int bOff, float[] d, int dOff,
                           int ldd) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        int a0 = rowStart[0];
        int a1 = rowStart[1];
        int a2 = rowStart[2];
        int a3 = rowStart[3];
        int a4 = rowStart[4];
        int a5 = rowStart[5];
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            int j = kOffset[kk];
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + j]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SPECIES, a[a1 + j]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SPECIES, a[a2 + j]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SPECIES, a[a3 + j]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(SPECIES, a[a4 + j]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(SPECIES, a[a5 + j]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        int d0 = dOff;
        int d1 = d0 + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        int d4 = d3 + ldd;
        int d5 = d4 + ldd;
        c00.intoArray(d, d0);
        c01.intoArray(d, d0 + V);
        c02.intoArray(d, d0 + 2 * V);
        c03.intoArray(d, d0 + 3 * V);
        c10.intoArray(d, d1);
        c11.intoArray(d, d1 + V);
        c12.intoArray(d, d1 + 2 * V);
        c13.intoArray(d, d1 + 3 * V);
        c20.intoArray(d, d2);
        c21.intoArray(d, d2 + V);
        c22.intoArray(d, d2 + 2 * V);
        c23.intoArray(d, d2 + 3 * V);
        c30.intoArray(d, d3);
        c31.intoArray(d, d3 + V);
        c32.intoArray(d, d3 + 2 * V);
        c33.intoArray(d, d3 + 3 * V);
        c40.intoArray(d, d4);
        c41.intoArray(d, d4 + V);
        c42.intoArray(d, d4 + 2 * V);
        c43.intoArray(d, d4 + 3 * V);
        c50.intoArray(d, d5);
        c51.intoArray(d, d5 + V);
        c52.intoArray(d, d5 + 2 * V);
        c53.intoArray(d, d5 + 3 * V);
    }
}
