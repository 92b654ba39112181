package io.vecnn.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every row in exactly one block, in order; no block but a lone one shorter than the minimum remainder. */
class RowBlocksTest {
    @Test
    void blocksCoverEveryRowOnceAndNoShortBlockIsATaskOfItsOwn() {
        for (int per : new int[] {24, 48, 96}) {
            for (int rows = 1; rows <= 700; rows++) {
                int blocks = RowBlocks.count(rows, per);
                int next = 0;
                for (int b = 0; b < blocks; b++) {
                    assertEquals(next, RowBlocks.start(b, per), rows + " rows by " + per + ", block " + b);
                    int n = RowBlocks.rows(b, blocks, rows, per);
                    assertTrue(n >= Math.min(rows, RowBlocks.MIN_LAST_ROWS), rows + " rows by " + per + ": " + n);
                    assertTrue(
                            n < per + RowBlocks.MIN_LAST_ROWS || blocks == 1 && rows < per + RowBlocks.MIN_LAST_ROWS);
                    next += n;
                }
                assertEquals(rows, next, rows + " rows by " + per);
            }
        }
    }

    @Test
    void aRemainderOfOneRowJoinsTheLastBlock() {
        assertEquals(6, RowBlocks.count(289, 48));
        assertEquals(49, RowBlocks.rows(5, 6, 289, 48));
        assertEquals(1, RowBlocks.count(49, 48));
        assertEquals(2, RowBlocks.count(48 + RowBlocks.MIN_LAST_ROWS, 48));
    }
}
