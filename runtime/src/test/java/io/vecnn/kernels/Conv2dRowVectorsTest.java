package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.graph.Op;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The row-vector stem convolution against the reference twin: 1-4 input channels, 1 to a vector less one output
 * channels (a partial last block of 6), kernels up to 11x11 and non-square, stride along columns, padding beyond
 * half the kernel, rows that end in a partial call of 2 vectors, batches, every epilogue, a slice of a wider output,
 * and any thread count.
 */
class Conv2dRowVectorsTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(61);
    private static final int V = VectorIsa.LANES;

    private static ConvCase randomCase(SplittableRandom r) {
        int inC = 1 + r.nextInt(Conv2dImplicitGemm.MAX_INPUT_CHANNELS);
        int outC = 1 + r.nextInt(V - 1);
        int kh = 1 + r.nextInt(11);
        int kw = 1 + r.nextInt(11);
        int sh = 1 + r.nextInt(3);
        int ph = r.nextInt(kh / 2 + 2);
        int pw = r.nextInt(kw / 2 + 2);
        int h = Math.max(1, kh - 2 * ph) + r.nextInt(20);
        // Output rows from one vector to a little over two calls' worth.
        int outW = V + r.nextInt(4 * V + 3);
        int w = outW + kw - 1 - 2 * pw;
        if (w < 1) {
            w = 1;
            pw = (outW + kw - 2) / 2;
        }
        int batch = 1 + r.nextInt(3);
        Op.Conv2d op = new Op.Conv2d(outC, kh, kw, sh, 1, ph, pw, 1, 1, 1, "w", r.nextBoolean() ? "b" : null);
        return ConvCase.random(op, inC, h, w, batch, r);
    }

    private static Conv2dRowVectors kernel(ConvCase c) {
        assertTrue(Conv2dRowVectors.applies(c.op(), c.in()), c.op() + " on " + c.in());
        return new Conv2dRowVectors(c.op(), c.w(), c.bias(), c.in(), c.out());
    }

    @RepeatedTest(80)
    void randomStemsWithEveryEpilogueMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        ConvCase c = randomCase(r);
        ConvKernelChecks.assertMatchesReference(kernel(c), c, r);
    }

    /** LeNet-5's first layer as the network runs it: 3x32x32, 5x5, 6 channels. */
    @Test
    void lenetStemMatchesTheReference() {
        SplittableRandom r = new SplittableRandom(5);
        ConvCase c = ConvCase.random(new Op.Conv2d(6, 5, 5, 1, 1, 0, 0, 1, 1, 1, "w", "b"), 3, 32, 32, 1, r);
        ConvKernelChecks.assertMatchesReference(kernel(c), c, r);
    }

    @RepeatedTest(5)
    void keepsItsWeightsAndWritesIntoAChannelSlice() {
        ConvCase c = randomCase(SEEDS.split());
        ConvKernelChecks.assertKeepsWeightsAndWritesIntoASlice(kernel(c), c);
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        ConvCase c = randomCase(new SplittableRandom(12));
        ConvKernelChecks.assertSameOnOneThreadAndTwo(
                kernel(c), c, null, ConvOutput.whole(c.out().channels(), true));
    }

    @Test
    void appliesOnlyToStride1RowsFewChannelsAndRowsAVectorLong() {
        Shape rgb = new Shape(3, 32, 32);
        assertTrue(Conv2dRowVectors.applies(new Op.Conv2d(6, 5, 5, 1, 1, 0, 0, 1, 1, 1, "w", null), rgb));
        assertTrue(Conv2dRowVectors.applies(new Op.Conv2d(V - 1, 3, 3, 2, 1, 1, 1, 1, 1, 1, "w", null), rgb));
        assertFalse(Conv2dRowVectors.applies(new Op.Conv2d(V, 5, 5, 1, 1, 0, 0, 1, 1, 1, "w", null), rgb));
        assertFalse(Conv2dRowVectors.applies(new Op.Conv2d(6, 5, 5, 1, 2, 0, 0, 1, 1, 1, "w", null), rgb));
        assertFalse(Conv2dRowVectors.applies(new Op.Conv2d(6, 3, 3, 1, 1, 1, 1, 2, 2, 1, "w", null), rgb));
        assertFalse(Conv2dRowVectors.applies(new Op.Conv2d(6, 3, 3, 1, 1, 1, 1, 1, 1, 3, "w", null), rgb));
        assertFalse(Conv2dRowVectors.applies(
                new Op.Conv2d(6, 5, 5, 1, 1, 0, 0, 1, 1, 1, "w", null),
                new Shape(Conv2dImplicitGemm.MAX_INPUT_CHANNELS + 1, 32, 32)));
        assertFalse(Conv2dRowVectors.applies(
                new Op.Conv2d(6, 5, 5, 1, 1, 0, 0, 1, 1, 1, "w", null), new Shape(3, 32, V + 3)));
        Op.Conv2d wide = new Op.Conv2d(V, 5, 5, 1, 1, 0, 0, 1, 1, 1, "w", null);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Conv2dRowVectors(wide, new float[V * 75], null, rgb, new Shape(V, 28, 28)));
        assertTrue(e.getMessage().contains("fewer output channels"), e.getMessage());
    }
}
