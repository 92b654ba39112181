package io.vecnn.kernels;

import io.vecnn.graph.ActivationFunction;

/**
 * C = A · B (+ epilogue) for a block of rows and a range of B's panels, in microkernel calls whose shape
 * fits the register file ({@link VectorIsa#REGISTERS}): with 32 registers, 6-row calls on 4-vector panels
 * and 8-row calls on 2-vector panels (as B was packed); with 16, 6-row calls on 2-vector panels; with either,
 * 12-row calls on 1-vector panels; then the row tail in calls of 4, 2 and 1 rows. Callers split the work
 * across threads by row blocks and panel ranges; every output element is computed by exactly one call with the same operation order, so
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
    /**
     * Bytes of B per chunk of a deep panel: 256 KB stays in L2 (512 KB to 1 MB per core) beside the rows of A.
     * Unchunked, a 3x3 layer with 512 input channels (K = 4608) streams a 1.2 MB panel of 64 columns from L3
     * for every group of 6 rows. In bytes, not in K: a 16-column panel (256-bit vectors) is 4x as deep for
     * the same bytes, and chunking it at the 64-column depth split 5x5 layers (K = 1200, 1600) whose whole
     * panel fits L2, paying a second pass over C for nothing.
     */
    private static final int CHUNK_BYTES = 256 * 1024;
    /** The 8x2V kernel's time per column relative to the 6x4V kernel's, in percent: see {@link #panelWidthFor}. */
    private static final int TWO_VECTOR_SLOWDOWN_PERCENT = 105;

    private static final int FOUR_VECTORS = GemmMicroKernel6x4v.NR;
    private static final int TWO_VECTORS = GemmMicroKernel6x2v.NR;
    private static final int ONE_VECTOR = GemmMicroKernel12x1v.NR;
    /** Starting values of sums without a bias: one panel's worth of zeros. */
    private static final float[] ZEROS = new float[FOUR_VECTORS];
    /** A panel's tail goes through this tile so the microkernel can always store whole vectors. */
    private static final ThreadLocal<float[]> TILE =
            ThreadLocal.withInitial(() -> new float[GemmMicroKernel8x2v.MR * FOUR_VECTORS]);

    private Gemm() {}

    /**
     * The panel width for a matrix of {@code n} columns. At most one vector's worth: one vector, where wider
     * panels would mostly compute padding and send every tile through the tail path. With 16 vector
     * registers, 2 vectors: a 4-vector
     * panel needs 4 B vectors and 6 × 4 accumulators, more than the file holds, and C2 then spills
     * accumulators on every k step (the 6x4V kernel ran at a quarter of the FMA peak on an AVX2 machine).
     * With 32 registers, 4 vectors unless 2-vector panels pad less by more
     * than the 6x4V kernel's edge in speed. Where both fit exactly the 6x4V kernel is faster on shallow
     * products (a 64-deep 1x1 convolution with a residual, where 6 rows of 4 vectors amortise the epilogue
     * better) and as fast on deep ones (K = 1024); GemmBenchmark measures both. So 192 and 256 columns take 4-vector panels, 96, 160 and 224
     * (which 4-vector panels pad by a third, a fifth and a seventh) take 2-vector ones. Pack with it:
     * {@link PackedMatrix#pack}.
     */
    public static int panelWidthFor(int n) {
        if (n <= ONE_VECTOR) {
            return ONE_VECTOR;
        }
        if (!VectorIsa.wideRegisterFile()) {
            return TWO_VECTORS;
        }
        long four = padded(n, FOUR_VECTORS);
        long two = padded(n, TWO_VECTORS);
        return two * TWO_VECTOR_SLOWDOWN_PERCENT < four * 100 ? TWO_VECTORS : FOUR_VECTORS;
    }

    /**
     * Rows per microkernel call on panels of {@code nr} columns: 12 on 1-vector panels, 6 on 4-vector ones; on 2-vector panels
     * 8 where 32 registers hold 8 × 2 accumulators, else 6 (15 of 16 registers).
     */
    public static int rowsPerCall(int nr) {
        if (nr == ONE_VECTOR) {
            return GemmMicroKernel12x1v.MR;
        }
        if (nr == FOUR_VECTORS) {
            return GemmMicroKernel6x4v.MR;
        }
        if (nr == TWO_VECTORS) {
            return VectorIsa.wideRegisterFile() ? GemmMicroKernel8x2v.MR : GemmMicroKernel6x2v.MR;
        }
        throw new IllegalArgumentException("no microkernel for panels of " + nr + " columns");
    }

    private static long padded(int n, int width) {
        return (long) (n + width - 1) / width * width;
    }

    /**
     * @param a      rows of A, row r at {@code aOff + r*lda}, K = {@code b.k()} values each
     * @param rows   how many rows
     * @param c      output, row r at {@code cOff + r*ldc}, column 0 of the output at its start
     * @param rOff   offset of this block's first output element in the epilogue's residual
     */
    public static void block(
            float[] a,
            int aOff,
            int lda,
            int rows,
            PackedMatrix b,
            int panelFrom,
            int panelTo,
            float[] c,
            int cOff,
            int ldc,
            int rOff,
            Epilogue epilogue) {
        int nr = b.panelWidth();
        int mr = rowsPerCall(nr);
        int k = b.k();
        float[] tile = TILE.get();
        if ((long) k * nr * (panelTo - panelFrom) * Float.BYTES <= ROW_OUTER_MAX_PANEL_BYTES) {
            // The activation waits until a row group has all its panels, then runs over the group's rows in
            // one pass: per tile it ran over two or four vectors a call, and at small K (EfficientNet's
            // 16- to 40-deep expansions) that pass cost as much as the products.
            ActivationFunction f = epilogue.activation();
            int colFrom = panelFrom * nr;
            int colTo = Math.min(panelTo * nr, b.n());
            for (int r = 0; r < rows; r += mr) {
                for (int p = panelFrom; p < panelTo; p++) {
                    tile(a, aOff, lda, rows, r, mr, b, p, c, cOff, ldc, rOff, epilogue, f == null, tile);
                }
                if (f != null) {
                    ActivationVectors.applyToRows(f, c, cOff + r * ldc, ldc, Math.min(mr, rows - r), colFrom, colTo);
                }
            }
        } else {
            for (int p = panelFrom; p < panelTo; p++) {
                // Chunks after the first add to sums kept in C, which must not be the residual still to be read.
                if (k > kChunk(nr) && rows > mr && (p + 1) * nr <= b.n() && epilogue.residual() != c) {
                    chunkedPanel(a, aOff, lda, rows, mr, b, p, c, cOff, ldc, rOff, epilogue);
                } else {
                    for (int r = 0; r < rows; r += mr) {
                        tile(a, aOff, lda, rows, r, mr, b, p, c, cOff, ldc, rOff, epilogue, true, tile);
                    }
                }
            }
        }
    }

    /**
     * One full panel with K in chunks of {@link #kChunk}: every row group runs over a chunk before the next
     * chunk, so the chunk of B (at most 256 KB) is read from L2 by all of them, not from L3 by each. The first
     * chunk's sums start from the bias and take the residual; each later chunk adds C to its sums in the
     * microkernel's registers (C as its own residual, read before it is written), and the last applies the
     * ReLU there too. Through a tile, each later chunk cost a second pass that loaded and stored C again.
     */
    private static void chunkedPanel(
            float[] a,
            int aOff,
            int lda,
            int rows,
            int mr,
            PackedMatrix b,
            int p,
            float[] c,
            int cOff,
            int ldc,
            int rOff,
            Epilogue epilogue) {
        int nr = b.panelWidth();
        int k = b.k();
        int col0 = p * nr;
        float[] bias = epilogue.bias();
        ActivationFunction f = epilogue.activation();
        int chunk = kChunk(nr);
        for (int k0 = 0; k0 < k; k0 += chunk) {
            int kLen = Math.min(chunk, k - k0);
            int bOff = b.panelOffset(p) + k0 * nr;
            boolean first = k0 == 0;
            boolean last = k0 + kLen == k;
            // The panel is whole, so its columns all have a bias.
            float[] init = first && bias != null ? bias : ZEROS;
            int initOff = init == bias ? col0 : 0;
            for (int r = 0; r < rows; r += mr) {
                int rowsHere = Math.min(mr, rows - r);
                int out = cOff + r * ldc + col0;
                float[] res = first ? epilogue.residual() : c;
                int resOff = first ? rOff + r * epilogue.residualStride() + col0 : out;
                int ldr = first ? epilogue.residualStride() : ldc;
                multiply(
                        a,
                        aOff + r * lda + k0,
                        lda,
                        rowsHere,
                        mr,
                        b.data(),
                        bOff,
                        kLen,
                        nr,
                        init,
                        initOff,
                        c,
                        out,
                        ldc,
                        res,
                        resOff,
                        ldr,
                        last && epilogue.relu());
                if (last && f != null) {
                    ActivationVectors.applyToRows(f, c, cOff + r * ldc, ldc, rowsHere, col0, col0 + nr);
                }
            }
        }
    }

    /** K per chunk of a deep panel of {@code nr} columns: {@link #CHUNK_BYTES} of B. */
    static int kChunk(int nr) {
        return CHUNK_BYTES / (nr * Float.BYTES);
    }

    /**
     * Sums of {@code rows} (at most {@code mr}) rows of A times {@code k} rows of a panel into d, each column
     * started from {@code init[initOff + j]}.
     */
    private static void multiply(
            float[] a,
            int aOff,
            int lda,
            int rows,
            int mr,
            float[] b,
            int bOff,
            int k,
            int nr,
            float[] init,
            int initOff,
            float[] d,
            int dOff,
            int ldd,
            float[] res,
            int resOff,
            int ldr,
            boolean relu) {
        if (rows == mr) {
            if (nr == FOUR_VECTORS) {
                GemmMicroKernel6x4v.run(a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
            } else if (nr == ONE_VECTOR) {
                GemmMicroKernel12x1v.run(a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
            } else if (mr == GemmMicroKernel8x2v.MR) {
                GemmMicroKernel8x2v.run(a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
            } else {
                GemmMicroKernel6x2v.run(a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
            }
            return;
        }
        // The row tail in calls of 4, 2 and 1 rows: one row per call loads every B vector for each row's
        // FMAs and has too few independent sums to fill the FMA pipes.
        for (int t = 0; t < rows; ) {
            int step = rows - t >= 4 ? 4 : rows - t >= 2 ? 2 : 1;
            tailRows(
                    step,
                    a,
                    aOff + t * lda,
                    lda,
                    b,
                    bOff,
                    k,
                    nr,
                    init,
                    initOff,
                    d,
                    dOff + t * ldd,
                    ldd,
                    res,
                    resOff + t * ldr,
                    ldr,
                    relu);
            t += step;
        }
    }

    /** {@code rows} (4, 2 or 1) rows of A times a panel of {@code nr} columns. */
    private static void tailRows(
            int rows,
            float[] a,
            int aOff,
            int lda,
            float[] b,
            int bOff,
            int k,
            int nr,
            float[] init,
            int initOff,
            float[] d,
            int dOff,
            int ldd,
            float[] res,
            int resOff,
            int ldr,
            boolean relu) {
        if (nr == FOUR_VECTORS) {
            switch (rows) {
                case 4 ->
                    GemmMicroKernel4x4v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
                case 2 ->
                    GemmMicroKernel2x4v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
                default ->
                    GemmMicroKernel1x4v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
            }
        } else if (nr == ONE_VECTOR) {
            switch (rows) {
                case 4 ->
                    GemmMicroKernel4x1v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
                case 2 ->
                    GemmMicroKernel2x1v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
                default ->
                    GemmMicroKernel1x1v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
            }
        } else {
            switch (rows) {
                case 4 ->
                    GemmMicroKernel4x2v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
                case 2 ->
                    GemmMicroKernel2x2v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
                default ->
                    GemmMicroKernel1x2v.run(
                            a, aOff, lda, b, bOff, k, init, initOff, d, dOff, ldd, res, resOff, ldr, relu);
            }
        }
    }

    /**
     * Rows [r, r+mr) of A times panel p of B, through the epilogue (its activation only if {@code activate})
     * into C. A whole panel's sums start from the bias, which at small K saves a pass that cost as much as a
     * third of the products (EfficientNet's 16-deep expansion), and take the residual and the ReLU in the
     * microkernel's registers; only an activation applied per tile needs a second pass. A panel's tail goes
     * through the tile, and the bias with the rest of the epilogue. When the residual is C itself (the output
     * took the memory of a residual read for the last time), the microkernel reads each element before writing
     * it at the same place; at any other offset the sums go through the tile, since written into C they would
     * overwrite residual still to be read.
     */
    private static void tile(
            float[] a,
            int aOff,
            int lda,
            int rows,
            int r,
            int mr,
            PackedMatrix b,
            int p,
            float[] c,
            int cOff,
            int ldc,
            int rOff,
            Epilogue epilogue,
            boolean activate,
            float[] tile) {
        int nr = b.panelWidth();
        int k = b.k();
        int col0 = p * nr;
        int nValid = Math.min(nr, b.n() - col0);
        boolean wholePanel = nValid == nr;
        int bOff = b.panelOffset(p);
        int rowsHere = Math.min(mr, rows - r);
        int out = cOff + r * ldc + col0;
        float[] residual = epilogue.residual();
        int resOff = rOff + r * epilogue.residualStride() + col0;
        boolean inPlace = wholePanel
                && (residual != c || (resOff == out && epilogue.residualStride() == ldc))
                && !(activate && epilogue.activation() != null);
        float[] bias = epilogue.bias();
        boolean biasInSums = wholePanel && bias != null;
        float[] init = biasInSums ? bias : ZEROS;
        int initOff = biasInSums ? col0 : 0;
        multiply(
                a,
                aOff + r * lda,
                lda,
                rowsHere,
                mr,
                b.data(),
                bOff,
                k,
                nr,
                init,
                initOff,
                inPlace ? c : tile,
                inPlace ? out : 0,
                inPlace ? ldc : nr,
                inPlace ? residual : null,
                resOff,
                epilogue.residualStride(),
                inPlace && epilogue.relu());
        if (!inPlace) {
            EpilogueKernel.apply(
                    tile, 0, nr, rowsHere, nValid, c, out, ldc, col0, resOff, epilogue, !biasInSums, activate);
        }
    }
}
