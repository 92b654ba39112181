package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[8 × 2V] = A[8 × K] · B[K × 2V], V = the preferred vector width (16 floats on AVX-512).
 *
 * <p>The companion of {@link GemmMicroKernel6x4v} for layers whose width is not a multiple of 4V (32, 96,
 * 160, 224 channels), where a 4V panel would compute up to a third more columns as padding. 16
 * accumulators; each k step does 16 FMAs for 2 loads and 8 broadcasts, still bound by the FMA units: on
 * this machine it runs as fast as the 6x4V kernel (1x1 convolutions with K = 1024: 233-261 GFLOP/s on one
 * core against 240-246), and faster than an 8x3V kernel did (156-198), which is why there is none.
 */
public final class GemmMicroKernel8x2v {
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    public static final int MR = 8;
    public static final int V = SPECIES.length();
    public static final int NR = 2 * V;

    private GemmMicroKernel8x2v() {
    }

    /**
     * Writes the raw sums; the caller applies the epilogue. Every vector stays a local of this one method:
     * handing vectors to a call C2 does not inline would box them, which costs more than the GEMM.
     *
     * @param a    A, rows {@code aOff + r*lda}, r in [0, 8)
     * @param b    the packed panel, {@code k × NR} values from {@code bOff}
     * @param d    destination, row r at {@code dOff + r*ldd}, {@code NR} values each
     */
    public static void run(float[] a, int aOff, int lda, float[] b, int bOff, int k, float[] d, int dOff, int ldd) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00;
        FloatVector c70 = c00, c71 = c00;
        int a0 = aOff;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int a4 = a3 + lda;
        int a5 = a4 + lda;
        int a6 = a5 + lda;
        int a7 = a6 + lda;
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[a2 + kk]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[a3 + kk]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SPECIES, a[a4 + kk]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SPECIES, a[a5 + kk]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SPECIES, a[a6 + kk]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SPECIES, a[a7 + kk]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        int d1 = dOff + ldd;
        int d2 = d1 + ldd;
        int d3 = d2 + ldd;
        int d4 = d3 + ldd;
        int d5 = d4 + ldd;
        int d6 = d5 + ldd;
        int d7 = d6 + ldd;
        c00.intoArray(d, dOff);
        c01.intoArray(d, dOff + V);
        c10.intoArray(d, d1);
        c11.intoArray(d, d1 + V);
        c20.intoArray(d, d2);
        c21.intoArray(d, d2 + V);
        c30.intoArray(d, d3);
        c31.intoArray(d, d3 + V);
        c40.intoArray(d, d4);
        c41.intoArray(d, d4 + V);
        c50.intoArray(d, d5);
        c51.intoArray(d, d5 + V);
        c60.intoArray(d, d6);
        c61.intoArray(d, d6 + V);
        c70.intoArray(d, d7);
        c71.intoArray(d, d7 + V);
    }
}
