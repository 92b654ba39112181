package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;

import static io.vecnn.kernels.GemmMicroKernel8x3v.NR;
import static io.vecnn.kernels.GemmMicroKernel8x3v.SPECIES;
import static io.vecnn.kernels.GemmMicroKernel8x3v.V;

/**
 * C[1 × 3V] = A[1 × K] · B[K × 3V] (+ epilogue): the row tail of {@link GemmMicroKernel8x3v}, for the last
 * {@code M mod 8} rows. Same panel layout, same epilogue, so both give identical results row for row.
 */
public final class GemmMicroKernel1x3v {
    private GemmMicroKernel1x3v() {
    }

    public static void run(float[] a, int aOff, float[] b, int bOff, int k, float[] c, int cOff, int nValid, int col0,
                           int rOff, Epilogue epilogue) {
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[aOff + kk]);
            c0 = x.fma(FloatVector.fromArray(SPECIES, b, bi), c0);
            c1 = x.fma(FloatVector.fromArray(SPECIES, b, bi + V), c1);
            c2 = x.fma(FloatVector.fromArray(SPECIES, b, bi + 2 * V), c2);
        }
        GemmMicroKernel8x3v.Store.row(c0, c1, c2, c, cOff, nValid, col0, rOff, epilogue);
    }
}
