package io.vecnn.kernels;

/**
 * C = A · B (+ epilogue) for a block of rows and a range of B's panels: 8-row microkernel calls on 3- or
 * 2-vector panels, 6-row calls on 4-vector panels (as B was packed), then the row tail. Callers split the work across threads by row blocks
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
    private static final ThreadLocal<float[]> TILE =
            ThreadLocal.withInitial(() -> new float[GemmMicroKernel8x3v.MR * GemmMicroKernel6x4v.NR]);

    private Gemm() {
    }

    /**
     * The panel width for a matrix of {@code n} columns: the one that pads least (a 64-wide layer in 48-wide
     * panels would compute 96 columns); on a tie 3 vectors, the fastest kernel, then 4, then 2. Pack with it:
     * {@link PackedMatrix#pack}.
     */
    public static int panelWidthFor(int n) {
        int best = GemmMicroKernel8x3v.NR;
        for (int width : new int[] {GemmMicroKernel6x4v.NR, GemmMicroKernel8x2v.NR}) {
            if (waste(n, width) < waste(n, best)) {
                best = width;
            }
        }
        return best;
    }

    private static int waste(int n, int width) {
        return (n + width - 1) / width * width - n;
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
        if (nr != GemmMicroKernel8x3v.NR && nr != GemmMicroKernel8x2v.NR && nr != GemmMicroKernel6x4v.NR) {
            throw new IllegalArgumentException("no microkernel for panels of " + nr + " columns");
        }
        int mr = nr == GemmMicroKernel6x4v.NR ? GemmMicroKernel6x4v.MR : GemmMicroKernel8x3v.MR;
        int k = b.k();
        boolean plain = epilogue == Epilogue.NONE
                || (epilogue.bias() == null && epilogue.residual() == null && !epilogue.relu());
        float[] tile = TILE.get();
        if ((long) k * nr * (panelTo - panelFrom) * Float.BYTES <= ROW_OUTER_MAX_PANEL_BYTES) {
            for (int r = 0; r < rows; r += mr) {
                for (int p = panelFrom; p < panelTo; p++) {
                    tile(a, aOff, lda, rows, r, mr, b, p, c, cOff, ldc, rOff, epilogue, plain, tile);
                }
            }
        } else {
            for (int p = panelFrom; p < panelTo; p++) {
                for (int r = 0; r < rows; r += mr) {
                    tile(a, aOff, lda, rows, r, mr, b, p, c, cOff, ldc, rOff, epilogue, plain, tile);
                }
            }
        }
    }

    /** Rows [r, r+mr) of A times panel p of B, through the epilogue into C. */
    private static void tile(float[] a, int aOff, int lda, int rows, int r, int mr, PackedMatrix b, int p,
                             float[] c, int cOff, int ldc, int rOff, Epilogue epilogue, boolean plain, float[] tile) {
        int nr = b.panelWidth();
        int k = b.k();
        int col0 = p * nr;
        int nValid = Math.min(nr, b.n() - col0);
        boolean inPlace = nValid == nr;
        int bOff = b.panelOffset(p);
        int rowsHere = Math.min(mr, rows - r);
        int out = cOff + r * ldc + col0;
        float[] d = inPlace ? c : tile;
        int dOff = inPlace ? out : 0;
        int ldd = inPlace ? ldc : nr;
        if (rowsHere == mr) {
            if (nr == GemmMicroKernel8x3v.NR) {
                GemmMicroKernel8x3v.run(a, aOff + r * lda, lda, b.data(), bOff, k, d, dOff, ldd);
            } else if (nr == GemmMicroKernel6x4v.NR) {
                GemmMicroKernel6x4v.run(a, aOff + r * lda, lda, b.data(), bOff, k, d, dOff, ldd);
            } else {
                GemmMicroKernel8x2v.run(a, aOff + r * lda, lda, b.data(), bOff, k, d, dOff, ldd);
            }
        } else {
            for (int t = 0; t < rowsHere; t++) {
                if (nr == GemmMicroKernel8x3v.NR) {
                    GemmMicroKernel1x3v.run(a, aOff + (r + t) * lda, b.data(), bOff, k, d, dOff + t * ldd);
                } else if (nr == GemmMicroKernel6x4v.NR) {
                    GemmMicroKernel1x4v.run(a, aOff + (r + t) * lda, b.data(), bOff, k, d, dOff + t * ldd);
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
