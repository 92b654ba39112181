package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.Op;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.vecnn.testing.RandomTensors.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The GEMM convolution against the reference twin on random shapes: tails, strides, padding, dilation, groups. */
class Conv2dGemmTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(29);
    private static final Team TEAM = ConvKernelChecks.TEAM;

    private static ConvCase randomCase(SplittableRandom r) {
        int groups = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1;
        int inC = groups * (1 + r.nextInt(20));
        int outC = groups * (1 + r.nextInt(40));
        int kh = 1 + r.nextInt(5);
        int kw = r.nextInt(3) == 0 ? 1 + r.nextInt(7) : kh;
        int sh = 1 + r.nextInt(3);
        int sw = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : sh;
        int ph = r.nextInt(kh / 2 + 2);
        int pw = r.nextInt(kw / 2 + 2);
        int dil = r.nextInt(5) == 0 ? 2 : 1;
        int h = dil * (kh - 1) + 1 + r.nextInt(12);
        int w = dil * (kw - 1) + 1 + r.nextInt(12);
        int batch = 1 + r.nextInt(3);
        Op.Conv2d op = new Op.Conv2d(outC, kh, kw, sh, sw, ph, pw, dil, dil, groups, "w", r.nextBoolean() ? "b" : null);
        return ConvCase.random(op, inC, h, w, batch, r);
    }

    @RepeatedTest(60)
    void randomConvolutionsWithResidualAndReluMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        ConvCase c = randomCase(r);
        Tensor want = c.reference();
        float[] residual = r.nextBoolean() ? gaussian(r, want.data().length) : null;
        boolean relu = r.nextBoolean();
        Conv2dGemm conv = new Conv2dGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        float[] y = new float[want.data().length];

        run(conv, c, y, residual, ConvOutput.whole(c.out().channels(), relu), TEAM);

        c.assertMatches(want, residual, relu, y, 1e-4);
    }

    /**
     * The residual is the output array itself, as when a plan lets the output take the memory of a residual
     * read for the last time: the same values as with a separate output.
     */
    @RepeatedTest(30)
    void aResidualThatIsTheOutputGivesTheSameResult() {
        SplittableRandom r = SEEDS.split();
        ConvCase c = randomCase(r);
        Tensor want = c.reference();
        float[] residual = gaussian(r, want.data().length);
        boolean relu = r.nextBoolean();
        Conv2dGemm conv = new Conv2dGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        float[] separate = new float[want.data().length];
        run(conv, c, separate, residual, ConvOutput.whole(c.out().channels(), relu), TEAM);
        float[] shared = residual.clone();

        run(conv, c, shared, shared, ConvOutput.whole(c.out().channels(), relu), TEAM);

        c.assertMatches(want, residual, relu, shared, 1e-4);
        assertArrayEquals(separate, shared);
    }

    /**
     * A 1x1 layer whose weights (650 KB) do not stay in L2, so its tasks run panel blocks first, and a strided
     * one whose gathered map is whole: both against the reference, and the same bits on one thread and two.
     */
    @Test
    void largeWeightsRunPanelBlocksFirstAndMatchTheReference() {
        SplittableRandom r = new SplittableRandom(23);
        for (int stride : new int[] {1, 2}) {
            Op.Conv2d op = new Op.Conv2d(600, 1, 1, stride, stride, 0, 0, 1, 1, 1, "w", "b");
            ConvCase c = ConvCase.random(op, 256, 13, 15, 2, r);
            Tensor want = c.reference();
            float[] residual = gaussian(r, want.data().length);
            Conv2dGemm conv = new Conv2dGemm(c.op(), c.w(), c.bias(), c.in(), c.out());

            float[] y = ConvKernelChecks.assertSameOnOneThreadAndTwo(conv, c, residual, ConvOutput.whole(600, true));

            c.assertMatches(want, residual, true, y, 1e-4);
        }
    }

    /**
     * Inception v3's 1x7 and 7x1 at 17x17 (289 = 6 × 48 + 1 rows, the remainder joining the last block): on one
     * thread the map is gathered whole, on two each task gathers its own rows. Both against the reference, and
     * the same bits.
     */
    @Test
    void factorizedConvolutionsMatchTheReferenceWholeOrGatheredPerTask() {
        SplittableRandom r = new SplittableRandom(43);
        for (int[] kernel : new int[][] {{1, 7}, {7, 1}}) {
            Op.Conv2d op =
                    new Op.Conv2d(72, kernel[0], kernel[1], 1, 1, kernel[0] / 2, kernel[1] / 2, 1, 1, 1, "w", "b");
            ConvCase c = ConvCase.random(op, 40, 17, 17, 1, r);
            Tensor want = c.reference();
            Conv2dGemm conv = new Conv2dGemm(c.op(), c.w(), c.bias(), c.in(), c.out());

            float[] y = ConvKernelChecks.assertSameOnOneThreadAndTwo(conv, c, null, ConvOutput.whole(72, true));

            c.assertMatches(want, null, true, y, 1e-4);
        }
    }

    /** A map too large to gather whole: its rows are gathered block by block into per-thread scratch. */
    @Test
    void largeMapGatheredBlockByBlockMatchesTheReference() {
        SplittableRandom r = new SplittableRandom(41);
        Op.Conv2d op = new Op.Conv2d(20, 3, 3, 1, 1, 1, 1, 1, 1, 1, "w", "b");
        Shape in = new Shape(8, 190, 190);
        Shape out = new Shape(20, 190, 190);
        ConvCase c = new ConvCase(
                op,
                in,
                out,
                gaussian(r, 20 * 9 * 8),
                gaussian(r, 20),
                new Tensor(1, 190, 190, 8, gaussian(r, 190 * 190 * 8)));
        Conv2dGemm conv = new Conv2dGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        assertEquals(0, conv.scratchFloats(1), "this map must take the block-by-block path");
        Tensor want = c.reference();
        float[] y = new float[want.data().length];

        run(conv, c, y, null, ConvOutput.whole(20, false), TEAM);

        for (int i = 0; i < y.length; i++) {
            assertEquals(want.data()[i], y[i], 1e-4 * (1 + Math.abs(want.data()[i])) * Math.sqrt(72), "at " + i);
        }
    }

    @Test
    void writesIntoAChannelSliceOfAWiderOutput() {
        ConvCase c = randomCase(new SplittableRandom(5));
        Conv2dGemm conv = new Conv2dGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        int extra = 7;
        int wide = c.out().channels() + extra;
        int pixels = c.x().batch() * c.out().height() * c.out().width();
        float[] y = new float[pixels * wide];
        java.util.Arrays.fill(y, -99f);
        run(conv, c, y, null, new ConvOutput(3, wide, false), TEAM);
        float[] alone = new float[pixels * c.out().channels()];
        run(conv, c, alone, null, ConvOutput.whole(c.out().channels(), false), TEAM);
        for (int p = 0; p < pixels; p++) {
            for (int ch = 0; ch < wide; ch++) {
                float v = y[p * wide + ch];
                if (ch < 3 || ch >= 3 + c.out().channels()) {
                    assertEquals(-99f, v, "outside the slice at pixel " + p + " channel " + ch);
                } else {
                    assertEquals(alone[p * c.out().channels() + ch - 3], v);
                }
            }
        }
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        ConvCase c = randomCase(new SplittableRandom(8));
        Conv2dGemm conv = new Conv2dGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        ConvKernelChecks.assertSameOnOneThreadAndTwo(
                conv, c, null, ConvOutput.whole(c.out().channels(), true));
    }

    /** Runs {@code conv} on the case's input batch into {@code y}, with scratch of its own. */
    private static void run(Conv2dGemm conv, ConvCase c, float[] y, float[] residual, ConvOutput to, Team team) {
        conv.run(c.x().data(), c.x().batch(), y, residual, to, team, scratch(conv, c));
    }

    private static float[] scratch(Conv2dGemm conv, ConvCase c) {
        return new float[conv.scratchFloats(c.x().batch())];
    }
}
