package io.vecnn.kernels;

/**
 * Rows of a GEMM split into tasks of {@code per} rows, where a remainder shorter than {@link #MIN_LAST_ROWS}
 * joins the last block instead of being a task of its own. A task streams its panels of B once whatever its
 * row count, so a task of a row or two (17x17 = 289 = 6 × 48 + 1 pixels, 7x7 = 49 = 48 + 1) costs nearly as
 * much as a full one; inside the last block the same rows run while B's panels are hot, in the microkernels'
 * row-tail calls.
 */
public final class RowBlocks {
    /** Below this many rows a remainder joins the last block: too few to pay for a pass over B's panels. */
    public static final int MIN_LAST_ROWS = 24;

    private RowBlocks() {}

    /** How many blocks {@code rows} rows make at {@code per} rows each. */
    public static int count(int rows, int per) {
        int full = rows / per;
        int rest = rows % per;
        if (full == 0) {
            return 1;
        }
        return rest >= MIN_LAST_ROWS ? full + 1 : full;
    }

    /** The first row of block {@code block}. */
    public static int start(int block, int per) {
        return block * per;
    }

    /** How many rows block {@code block} of {@code blocks} holds: {@code per}, or what is left for the last. */
    public static int rows(int block, int blocks, int rows, int per) {
        return block == blocks - 1 ? rows - block * per : per;
    }
}
