package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[8 × 3V] = A[8 × K] · B[K × 3V] (+ epilogue), V = the preferred vector width (16 floats on AVX-512).
 *
 * <p>Why 8 × 3 vectors: the 24 accumulators, 3 B vectors and 1 broadcast fill 28 of AVX-512's 32 registers,
 * so nothing spills; each k step does 24 FMAs for 3 vector loads and 8 broadcasts, enough to keep both FMA
 * units busy. A is read row by row (stride {@code lda}), B from one packed panel ({@link PackedMatrix}).
 */
public final class GemmMicroKernel8x3v {
    public static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    public static final int MR = 8;
    public static final int V = SPECIES.length();
    public static final int NR = 3 * V;

    private GemmMicroKernel8x3v() {
    }

    /**
     * @param a      A, rows {@code aOff + r*lda}, r in [0, 8)
     * @param b      the packed panel, {@code k × NR} values from {@code bOff}
     * @param c      output, row r at {@code cOff + r*ldc}; columns {@code [0, nValid)} are written
     * @param col0   the panel's first column, for the bias
     * @param rOff   where this block's first output element sits in the epilogue's residual (unused without one)
     */
    public static void run(float[] a, int aOff, int lda, float[] b, int bOff, int k, float[] c, int cOff, int ldc,
                           int nValid, int col0, int rOff, Epilogue epilogue) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00;
        FloatVector c50 = c00, c51 = c00, c52 = c00;
        FloatVector c60 = c00, c61 = c00, c62 = c00;
        FloatVector c70 = c00, c71 = c00, c72 = c00;
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
            FloatVector b2 = FloatVector.fromArray(SPECIES, b, bi + 2 * V);
            FloatVector x = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(SPECIES, a[a2 + kk]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(SPECIES, a[a3 + kk]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(SPECIES, a[a4 + kk]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(SPECIES, a[a5 + kk]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(SPECIES, a[a6 + kk]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(SPECIES, a[a7 + kk]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            c72 = x.fma(b2, c72);
        }
        Store.row(c00, c01, c02, c, cOff, nValid, col0, rOff, epilogue);
        Store.row(c10, c11, c12, c, cOff + ldc, nValid, col0, rOff + epilogue.residualStride(), epilogue);
        Store.row(c20, c21, c22, c, cOff + 2 * ldc, nValid, col0, rOff + 2 * epilogue.residualStride(), epilogue);
        Store.row(c30, c31, c32, c, cOff + 3 * ldc, nValid, col0, rOff + 3 * epilogue.residualStride(), epilogue);
        Store.row(c40, c41, c42, c, cOff + 4 * ldc, nValid, col0, rOff + 4 * epilogue.residualStride(), epilogue);
        Store.row(c50, c51, c52, c, cOff + 5 * ldc, nValid, col0, rOff + 5 * epilogue.residualStride(), epilogue);
        Store.row(c60, c61, c62, c, cOff + 6 * ldc, nValid, col0, rOff + 6 * epilogue.residualStride(), epilogue);
        Store.row(c70, c71, c72, c, cOff + 7 * ldc, nValid, col0, rOff + 7 * epilogue.residualStride(), epilogue);
    }

    /** The epilogue and the store of one output row of 3 vectors, masked past {@code nValid}. */
    static final class Store {
        private Store() {
        }

        static void row(FloatVector v0, FloatVector v1, FloatVector v2, float[] c, int off, int nValid, int col0,
                        int rOff, Epilogue e) {
            one(v0, c, off, nValid, col0, 0, rOff, e);
            one(v1, c, off, nValid, col0, V, rOff, e);
            one(v2, c, off, nValid, col0, 2 * V, rOff, e);
        }

        static void one(FloatVector v, float[] c, int off, int nValid, int col0, int j, int rOff, Epilogue e) {
            if (j >= nValid) {
                return;
            }
            VectorMask<Float> mask = SPECIES.indexInRange(j, nValid);
            if (e.bias() != null) {
                v = v.add(FloatVector.fromArray(SPECIES, e.bias(), col0 + j, mask));
            }
            if (e.residual() != null) {
                v = v.add(FloatVector.fromArray(SPECIES, e.residual(), rOff + j, mask));
            }
            if (e.relu()) {
                v = v.lanewise(VectorOperators.MAX, 0f);
            }
            v.intoArray(c, off + j, mask);
        }
    }
}
