package io.vecnn.kernels;

import static io.vecnn.kernels.GemmMicroKernel8x3v.MR;
import static io.vecnn.kernels.GemmMicroKernel8x3v.NR;

/**
 * C = A · B (+ epilogue) for a block of rows and a range of B's panels: 8-row microkernel calls (3- or
 * 2-vector panels, as B was packed), then the row tail. Callers split the work across threads by row blocks
 * and panel ranges; every output element is computed by exactly one call with the same operation order, so
 * results do not depend on the split or on the loop order.
 */
public final class Gemm {
    /**
     * When the block's panels of B together fit in L2, each 8-row group runs across all of them before the
     * next: the rows of C and of the residual are then written and read in long contiguous runs, which the
     * prefetchers follow (panel by panel, a 1x1 convolution with a residual is latency-bound on 128-byte
     * pieces of rows a kilobyte apart). Larger panels (deep K) go panel by panel so each stays in L2.
     */
    private static final long ROW_OUTER_MAX_PANEL_BYTES = 256 * 1024;
    /** A panel's tail goes through this tile so the microkernel can always store whole vectors. */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private Gemm() {
    }

    /**
     * The panel width for a matrix of {@code n} columns: 3 vectors, unless 2-vector panels pad less (a
     * 64-wide layer in 48-wide panels would compute 96 columns). Pack with it: {@link PackedMatrix#pack}.
     */
    public static int panelWidthFor(int n) {
        int wide = GemmMicroKernel8x3v.NR;
        int narrow = GemmMicroKernel8x2v.NR;
        int wideWaste = (n + wide - 1) / wide * wide - n;
        int narrowWaste = (n + narrow - 1) / narrow * narrow - n;
        return narrowWaste < wideWaste ? narrow : wide;
    }

    /**
     * @param a      rows of A, row r at {@code aOff + r*lda}, K = {@code b.k()} values each
     * @param rows   how many rows
     * @param c      output, row r at {@code cOff + r*ldc}, column 0 of the output at its start
     * @param rOff   offset of this block's first output element in the epilogue's residual
     */
    public static void block(float[] a, int aOff, int lda, int rows, PackedMatrix b, int panelFrom, int panelTo,
                             float[] c, int cOff, int ldc, int rOff, Epilogue epilogue) {
        int nr = b.panelWidth();
        boolean wide = nr == GemmMicroKernel8x3v.NR;
        if (!wide && nr != GemmMicroKernel8x2v.NR) {
            throw new IllegalArgumentException("no microkernel for panels of " + nr + " columns");
        }
        int k = b.k();
        boolean plain = epilogue == Epilogue.NONE
                || (epilogue.bias() == null && epilogue.residual() == null && !epilogue.relu());
        float[] tile = TILE.get();
        if ((long) k * nr * (panelTo - panelFrom) * Float.BYTES <= ROW_OUTER_MAX_PANEL_BYTES) {
            for (int r = 0; r < rows; r += MR) {
                for (int p = panelFrom; p < panelTo; p++) {
                    tile(a, aOff, lda, rows, r, b, p, wide, c, cOff, ldc, rOff, epilogue, plain, tile);
                }
            }
        } else {
            for (int p = panelFrom; p < panelTo; p++) {
                for (int r = 0; r < rows; r += MR) {
                    tile(a, aOff, lda, rows, r, b, p, wide, c, cOff, ldc, rOff, epilogue, plain, tile);
                }
            }
        }
    }

    /** Rows [r, r+8) of A times panel p of B, through the epilogue into C. */
    private static void tile(float[] a, int aOff, int lda, int rows, int r, PackedMatrix b, int p, boolean wide,
                             float[] c, int cOff, int ldc, int rOff, Epilogue epilogue, boolean plain, float[] tile) {
        int nr = b.panelWidth();
        int k = b.k();
        int col0 = p * nr;
        int nValid = Math.min(nr, b.n() - col0);
        boolean inPlace = nValid == nr;
        int bOff = b.panelOffset(p);
        int rowsHere = Math.min(MR, rows - r);
        int out = cOff + r * ldc + col0;
        float[] d = inPlace ? c : tile;
        int dOff = inPlace ? out : 0;
        int ldd = inPlace ? ldc : nr;
        if (rowsHere == MR) {
            if (wide) {
                GemmMicroKernel8x3v.run(a, aOff + r * lda, lda, b.data(), bOff, k, d, dOff, ldd);
            } else {
                GemmMicroKernel8x2v.run(a, aOff + r * lda, lda, b.data(), bOff, k, d, dOff, ldd);
            }
        } else {
            for (int t = 0; t < rowsHere; t++) {
                if (wide) {
                    GemmMicroKernel1x3v.run(a, aOff + (r + t) * lda, b.data(), bOff, k, d, dOff + t * ldd);
                } else {
                    GemmMicroKernel1x2v.run(a, aOff + (r + t) * lda, b.data(), bOff, k, d, dOff + t * ldd);
                }
            }
        }
        if (!inPlace || !plain) {
            EpilogueKernel.apply(d, dOff, ldd, rowsHere, nValid, c, out, ldc, col0,
                    rOff + r * epilogue.residualStride() + col0, epilogue);
        }
    }
}
