// Generated from src/main/kernel-templates/RowConvMicroKernel.java.in by MicroKernelGenerator: edit the template.
package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 6 output channels × 2 vectors of consecutive output pixels of one row, from channel-planar padded
 * input: each tap (c, ky, kx) loads 2 input vectors and multiplies them by 6 broadcast weights. The
 * transpose of the GEMM microkernel's orientation (lanes over pixels instead of output channels), for layers
 * with fewer output channels than a vector holds ({@link Conv2dRowVectors}).
 * The loop keeps 12 accumulators, 2 input vectors and 1 broadcast live: 15 vector registers.
 * 6 channels fit LeNet-5's stem in one call; 15 registers fit AVX2's 16 as well as AVX-512's 32.
 *
 * <p>The taps are one flat loop over an offset table, as in the implicit-GEMM kernels: nested loops over
 * (c, ky, kx) let C2 unroll the inner one and spill accumulators between its copies.
 */
public final class RowConvMicroKernel6x2v {
    public static final VectorSpecies<Float> SPECIES = VectorIsa.SPECIES;
    /** Output channels per call. */
    public static final int CHANNELS = 6;
    public static final int V = SPECIES.length();
    /** Output pixels per call. */
    public static final int PIXELS = 2 * V;
    /** Vector registers the loop keeps live. */
    public static final int REGISTERS = 15;

    private RowConvMicroKernel6x2v() {
    }

    /**
     * Writes {@code d[j * PIXELS + p]}, the sum for output channel j at pixel p, started from
     * {@code init[initOff + j]}.
     *
     * @param a         the padded channel-planar input
     * @param row       where pixel 0's window starts in {@code a}
     * @param tapOffset each of the {@code taps} taps' offset from a window's start
     * @param w         {@code taps × CHANNELS} weights from {@code wOff}, tap-major
     */
    public static void run(
            float[] a, int row, int[] tapOffset, int taps, float[] w, int wOff, float[] init, int initOff,
            float[] d) {
        FloatVector i0 = FloatVector.broadcast(SPECIES, init[initOff + 0]);
        FloatVector c00 = i0;
        FloatVector c01 = i0;
        FloatVector i1 = FloatVector.broadcast(SPECIES, init[initOff + 1]);
        FloatVector c10 = i1;
        FloatVector c11 = i1;
        FloatVector i2 = FloatVector.broadcast(SPECIES, init[initOff + 2]);
        FloatVector c20 = i2;
        FloatVector c21 = i2;
        FloatVector i3 = FloatVector.broadcast(SPECIES, init[initOff + 3]);
        FloatVector c30 = i3;
        FloatVector c31 = i3;
        FloatVector i4 = FloatVector.broadcast(SPECIES, init[initOff + 4]);
        FloatVector c40 = i4;
        FloatVector c41 = i4;
        FloatVector i5 = FloatVector.broadcast(SPECIES, init[initOff + 5]);
        FloatVector c50 = i5;
        FloatVector c51 = i5;
        int wi = wOff;
        for (int t = 0; t < taps; t++, wi += CHANNELS) {
            int at = row + tapOffset[t];
            FloatVector x0 = FloatVector.fromArray(SPECIES, a, at + 0 * V);
            FloatVector x1 = FloatVector.fromArray(SPECIES, a, at + 1 * V);
            FloatVector w0 = FloatVector.broadcast(SPECIES, w[wi + 0]);
            c00 = x0.fma(w0, c00);
            c01 = x1.fma(w0, c01);
            FloatVector w1 = FloatVector.broadcast(SPECIES, w[wi + 1]);
            c10 = x0.fma(w1, c10);
            c11 = x1.fma(w1, c11);
            FloatVector w2 = FloatVector.broadcast(SPECIES, w[wi + 2]);
            c20 = x0.fma(w2, c20);
            c21 = x1.fma(w2, c21);
            FloatVector w3 = FloatVector.broadcast(SPECIES, w[wi + 3]);
            c30 = x0.fma(w3, c30);
            c31 = x1.fma(w3, c31);
            FloatVector w4 = FloatVector.broadcast(SPECIES, w[wi + 4]);
            c40 = x0.fma(w4, c40);
            c41 = x1.fma(w4, c41);
            FloatVector w5 = FloatVector.broadcast(SPECIES, w[wi + 5]);
            c50 = x0.fma(w5, c50);
            c51 = x1.fma(w5, c51);
        }
        c00.intoArray(d, 0 * PIXELS + 0 * V);
        c01.intoArray(d, 0 * PIXELS + 1 * V);
        c10.intoArray(d, 1 * PIXELS + 0 * V);
        c11.intoArray(d, 1 * PIXELS + 1 * V);
        c20.intoArray(d, 2 * PIXELS + 0 * V);
        c21.intoArray(d, 2 * PIXELS + 1 * V);
        c30.intoArray(d, 3 * PIXELS + 0 * V);
        c31.intoArray(d, 3 * PIXELS + 1 * V);
        c40.intoArray(d, 4 * PIXELS + 0 * V);
        c41.intoArray(d, 4 * PIXELS + 1 * V);
        c50.intoArray(d, 5 * PIXELS + 0 * V);
        c51.intoArray(d, 5 * PIXELS + 1 * V);
    }
}
