package io.vecnn.kernels;

import static org.junit.jupiter.api.Assertions.fail;

/** What the microkernel testers check of one call's destination: its MR × NR block, and nothing else. */
final class MicroKernelBlock {
    /** The reference value of the block's element at (row, column). */
    @FunctionalInterface
    interface Reference {
        float at(int row, int column);
    }

    private MicroKernelBlock() {}

    /**
     * Every element of the block at {@code dOff} (row stride {@code ldd}) equals the reference bit for bit,
     * and every other element of {@code d} still holds {@code sentinel}.
     */
    static void assertWritten(
            float[] d, int dOff, int ldd, int mr, int nr, float sentinel, Reference want, String where) {
        for (int i = 0; i < d.length; i++) {
            int rel = i - dOff;
            int row = Math.floorDiv(rel, ldd);
            int col = Math.floorMod(rel, ldd);
            if (rel < 0 || row >= mr || col >= nr) {
                if (Float.floatToRawIntBits(d[i]) != Float.floatToRawIntBits(sentinel)) {
                    fail(where + ": wrote outside its block at " + i);
                }
                continue;
            }
            float expected = want.at(row, col);
            if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(d[i])) {
                fail(where + ": row " + row + " column " + col + " is " + d[i] + ", reference " + expected);
            }
        }
    }
}
