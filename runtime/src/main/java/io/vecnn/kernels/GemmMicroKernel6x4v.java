package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[6 × 4V] = A[6 × K] · B[K × 4V], V = the preferred vector width (16 floats on AVX-512), for layers whose
 * width is a multiple of 4V (64 on AVX-512: every ResNet layer).
 *
 * <p>Why 6 × 4 vectors: the 24 accumulators, 4 B vectors and 1 broadcast fill 29 of AVX-512's 32 registers;
 * each k step does 24 FMAs for 4 vector loads and 6 broadcasts, 0.42 loads per FMA where 8 × 2 vectors needs
 * 0.63 and runs out of load slots before FMA units. A is read row by row (stride {@code lda}), B from one
 * packed panel ({@link PackedMatrix}).
 */
public final class GemmMicroKernel6x4v {
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    public static final int MR = 6;
    public static final int V = SPECIES.length();
    public static final int NR = 4 * V;

    private GemmMicroKernel6x4v() {
    }

    /**
     * Writes the raw sums; the caller applies the epilogue. Every vector stays a local of this one method:
     * handing vectors to a call C2 does not inline would box them, which costs more than the GEMM.
     *
     * @param a    A, rows {@code aOff + r*lda}, r in [0, 6)
     * @param b    the packed panel, {@code k × NR} values from {@code bOff}
     * @param d    destination, row r at {@code dOff + r*ldd}, {@code NR} values each
     */
    public static void run(float[] a, int aOff, int lda, float[] b, int bOff, int k, float[] d, int dOff, int ldd) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        int a0 = aOff;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + V);
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * V);
            FloatVector b3 = FloatVector.fromArray(SPECIES, b, bi + 3 * V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(SPECIES, a[a2 + kk]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(SPECIES, a[a3 + kk]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(SPECIES, a[a4 + kk]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(SPECIES, a[a5 + kk]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        int d1 = dOff + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        int d4 = d3 + ldd;
        int d5 = d4 + ldd;
        c00.intoArray(d, dOff);
        c01.intoArray(d, dOff + V);
        c02.intoArray(d, dOff + 2 * V);
        c03.intoArray(d, dOff + 3 * V);
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
