package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;

import static io.vecnn.kernels.GemmMicroKernel8x2v.NR;
import static io.vecnn.kernels.GemmMicroKernel8x2v.SPECIES;
import static io.vecnn.kernels.GemmMicroKernel8x2v.V;

/**
 * C[1 × 2V] = A[1 × K] · B[K × 2V]: the row tail of {@link GemmMicroKernel8x2v}, for the last
 * {@code M mod 8} rows. Same panel layout and the same order of operations, so both give identical results row for row.
 */
public final class GemmMicroKernel1x2v {
    private GemmMicroKernel1x2v() {
    }

    /** Writes the raw sums of one row, {@code NR} values at {@code dOff}; the caller applies the epilogue. */
    public static void run(float[] a, int aOff, float[] b, int bOff, int k, float[] d, int dOff) {
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = c0;
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[aOff + kk]);
            c0 = x.fma(FloatVector.fromArray(SPECIES, b, bi), c0);
            c1 = x.fma(FloatVector.fromArray(SPECIES, b, bi + V), c1);
        }
        c0.intoArray(d, dOff);
        c1.intoArray(d, dOff + V);
    }
}
