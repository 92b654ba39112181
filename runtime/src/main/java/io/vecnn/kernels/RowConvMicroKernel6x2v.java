package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Six output channels of 2 vectors of consecutive output pixels of one row, from channel-planar padded input:
 * each tap (c, ky, kx) loads 2 input vectors and multiplies them by 6 broadcast weights. The loop keeps 12
 * accumulators, 2 input vectors and 1 broadcast live: 15 vector registers, so it fits AVX2's 16 as well as
 * AVX-512's 32. It is the transpose of the GEMM microkernel's orientation (lanes over pixels instead of over
 * output channels), for layers with fewer output channels than a vector holds.
 *
 * <p>The taps are one flat loop over an offset table, as in {@link ImplicitConvMicroKernel6x1v}: nested loops
 * over (c, ky, kx) let C2 unroll the inner one and spill accumulators between its copies.
 */
public final class RowConvMicroKernel6x2v {
    public static final VectorSpecies<Float> SPECIES = VectorIsa.SPECIES;
    /** Output channels per call. */
    public static final int CHANNELS = 6;

    public static final int V = SPECIES.length();
    /** Output pixels per call. */
    public static final int PIXELS = 2 * V;

    private RowConvMicroKernel6x2v() {}

    /**
     * Writes {@code d[j * PIXELS + p]}, the sum for output channel j at pixel p, started from {@code init[initOff
     * + j]}.
     *
     * @param a         the padded channel-planar input
     * @param row       where pixel 0's window starts in {@code a}
     * @param tapOffset each of the {@code taps} taps' offset from a window's start
     * @param w         {@code taps × CHANNELS} weights from {@code wOff}, tap-major
     */
    public static void run(
            float[] a, int row, int[] tapOffset, int taps, float[] w, int wOff, float[] init, int initOff, float[] d) {
        FloatVector c00 = FloatVector.broadcast(SPECIES, init[initOff]);
        FloatVector c01 = c00;
        FloatVector c10 = FloatVector.broadcast(SPECIES, init[initOff + 1]);
        FloatVector c11 = c10;
        FloatVector c20 = FloatVector.broadcast(SPECIES, init[initOff + 2]);
        FloatVector c21 = c20;
        FloatVector c30 = FloatVector.broadcast(SPECIES, init[initOff + 3]);
        FloatVector c31 = c30;
        FloatVector c40 = FloatVector.broadcast(SPECIES, init[initOff + 4]);
        FloatVector c41 = c40;
        FloatVector c50 = FloatVector.broadcast(SPECIES, init[initOff + 5]);
        FloatVector c51 = c50;
        int wi = wOff;
        for (int t = 0; t < taps; t++, wi += CHANNELS) {
            int at = row + tapOffset[t];
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, at);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, at + V);
            FloatVector b = FloatVector.broadcast(SPECIES, w[wi]);
            c00 = x0.fma(b, c00);
            c01 = x1.fma(b, c01);
            b = FloatVector.broadcast(SPECIES, w[wi + 1]);
            c10 = x0.fma(b, c10);
            c11 = x1.fma(b, c11);
            b = FloatVector.broadcast(SPECIES, w[wi + 2]);
            c20 = x0.fma(b, c20);
            c21 = x1.fma(b, c21);
            b = FloatVector.broadcast(SPECIES, w[wi + 3]);
            c30 = x0.fma(b, c30);
            c31 = x1.fma(b, c31);
            b = FloatVector.broadcast(SPECIES, w[wi + 4]);
            c40 = x0.fma(b, c40);
            c41 = x1.fma(b, c41);
            b = FloatVector.broadcast(SPECIES, w[wi + 5]);
            c50 = x0.fma(b, c50);
            c51 = x1.fma(b, c51);
        }
        c00.intoArray(d, 0);
        c01.intoArray(d, V);
        c10.intoArray(d, PIXELS);
        c11.intoArray(d, PIXELS + V);
        c20.intoArray(d, 2 * PIXELS);
        c21.intoArray(d, 2 * PIXELS + V);
        c30.intoArray(d, 3 * PIXELS);
        c31.intoArray(d, 3 * PIXELS + V);
        c40.intoArray(d, 4 * PIXELS);
        c41.intoArray(d, 4 * PIXELS + V);
        c50.intoArray(d, 5 * PIXELS);
        c51.intoArray(d, 5 * PIXELS + V);
    }
}
