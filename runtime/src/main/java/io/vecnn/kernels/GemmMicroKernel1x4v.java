package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;

import static io.vecnn.kernels.GemmMicroKernel6x4v.NR;
import static io.vecnn.kernels.GemmMicroKernel6x4v.SPECIES;
import static io.vecnn.kernels.GemmMicroKernel6x4v.V;

/**
 * C[1 × 4V] = A[1 × K] · B[K × 4V]: the row tail of {@link GemmMicroKernel6x4v}, for the last
 * {@code M mod 6} rows. Same panel layout and the same order of operations, so both give identical results
 * row for row.
 */
public final class GemmMicroKernel1x4v {
    private GemmMicroKernel1x4v() {
    }

    /** Writes the raw sums of one row, {@code NR} values at {@code dOff}; the caller applies the epilogue. */
    public static void run(float[] a, int aOff, float[] b, int bOff, int k, float[] d, int dOff) {
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[aOff + kk]);
            c0 = x.fma(FloatVector.fromArray(SPECIES, b, bi), c0);
            c1 = x.fma(FloatVector.fromArray(SPECIES, b, bi + V), c1);
            c2 = x.fma(FloatVector.fromArray(SPECIES, b, bi + 2 * V), c2);
            c3 = x.fma(FloatVector.fromArray(SPECIES, b, bi + 3 * V), c3);
        }
        c0.intoArray(d, dOff);
        c1.intoArray(d, dOff + V);
        c2.intoArray(d, dOff + 2 * V);
        c3.intoArray(d, dOff + 3 * V);
    }
}
