package io.vecnn.kernels;

import static io.vecnn.kernels.GemmMicroKernel8x3v.MR;
import static io.vecnn.kernels.GemmMicroKernel8x3v.NR;

/**
 * C = A · B (+ epilogue) for a block of rows and a range of B's panels: 8-row microkernel calls, then the
 * row tail. Callers split the work across threads by row blocks and panel ranges; every output element is
 * computed by exactly one call with the same operation order, so results do not depend on the split.
 */
public final class Gemm {
    private Gemm() {
    }

    /**
     * @param a      rows of A, row r at {@code aOff + r*lda}, K = {@code b.k()} values each
     * @param rows   how many rows
     * @param c      output, row r at {@code cOff + r*ldc}, column 0 of the output at its start
     * @param rOff   offset of this block's first output element in the epilogue's residual
     */
    public static void block(float[] a, int aOff, int lda, int rows, PackedMatrix b, int panelFrom, int panelTo,
                             float[] c, int cOff, int ldc, int rOff, Epilogue epilogue) {
        if (b.panelWidth() != NR) {
            throw new IllegalArgumentException("matrix packed for panels of " + b.panelWidth() + ", kernel takes " + NR);
        }
        int k = b.k();
        int rStride = epilogue.residualStride();
        for (int p = panelFrom; p < panelTo; p++) {
            int col0 = p * NR;
            int nValid = Math.min(NR, b.n() - col0);
            int bOff = b.panelOffset(p);
            int r = 0;
            for (; r + MR <= rows; r += MR) {
                GemmMicroKernel8x3v.run(a, aOff + r * lda, lda, b.data(), bOff, k, c, cOff + r * ldc + col0, ldc, nValid,
                        col0, rOff + r * rStride + col0, epilogue);
            }
            for (; r < rows; r++) {
                GemmMicroKernel1x3v.run(a, aOff + r * lda, b.data(), bOff, k, c, cOff + r * ldc + col0, nValid, col0,
                        rOff + r * rStride + col0, epilogue);
            }
        }
    }
}
