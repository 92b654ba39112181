package io.vecnn.kernels;

import io.vecnn.graph.Op;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/**
 * The depthwise kernel against the reference twin on random shapes: channel counts on both sides of the vector
 * width, 3x3 to 7x7 kernels, strides 1 and 2, padding wider and narrower than the window, dilation, maps narrower
 * than a group of four pixels, with residual, ReLU, an activation and a concat slice.
 */
class DepthwiseConvNhwcTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(31);

    private static ConvCase randomCase(SplittableRandom r) {
        return randomCase(r, 0);
    }

    /**
     * With {@code sliding} 3 or 5, a window {@link DepthwiseConvNhwc} slides along rows: that size, undilated,
     * padded by at most half of it; a third of them with channels for three blocks per row and a tail.
     */
    private static ConvCase randomCase(SplittableRandom r, int sliding) {
        int v = VectorIsa.LANES;
        int[] channelChoices = {1, 3, v - 1, v, v + 3, 2 * v, 3 * v + 5};
        // Sliding windows also get more than one block of channel vectors per row (the kernel splits such rows
        // into blocks of 8).
        int channels = sliding > 0 && r.nextInt(3) == 0 ? 17 * v + 3 : channelChoices[r.nextInt(channelChoices.length)];
        int[] kernels = {3, 3, 5, 7, 1};
        int kh = sliding > 0 ? sliding : kernels[r.nextInt(kernels.length)];
        int kw = sliding > 0 ? sliding : r.nextInt(4) == 0 ? kernels[r.nextInt(kernels.length)] : kh;
        int sh = 1 + r.nextInt(2);
        int sw = r.nextInt(4) == 0 ? 1 + r.nextInt(2) : sh;
        int ph = r.nextInt(kh / 2 + 2);
        int pw = sliding > 0 ? r.nextInt(kw / 2 + 1) : r.nextInt(kw / 2 + 2);
        int dil = sliding == 0 && r.nextInt(6) == 0 ? 2 : 1;
        int h = Math.max(1, dil * (kh - 1) + 1 - 2 * ph) + r.nextInt(14);
        int w = Math.max(1, dil * (kw - 1) + 1 - 2 * pw) + r.nextInt(14);
        int batch = 1 + r.nextInt(2);
        Op.Conv2d op =
                new Op.Conv2d(channels, kh, kw, sh, sw, ph, pw, dil, dil, channels, "w", r.nextBoolean() ? "b" : null);
        return ConvCase.random(op, channels, h, w, batch, r);
    }

    @RepeatedTest(80)
    void randomDepthwiseConvolutionsMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        ConvCase c = randomCase(r);
        ConvKernelChecks.assertMatchesReference(new DepthwiseConvNhwc(c.op(), c.w(), c.bias(), c.in(), c.out()), c, r);
    }

    @RepeatedTest(40)
    void random3x3WindowsSlidingAlongRowsMatchTheReference() {
        assertSlidingWindowMatches(3);
    }

    @RepeatedTest(40)
    void random5x5WindowsSlidingAlongRowsMatchTheReference() {
        assertSlidingWindowMatches(5);
    }

    private static void assertSlidingWindowMatches(int size) {
        SplittableRandom r = SEEDS.split();
        ConvCase c = randomCase(r, size);
        ConvKernelChecks.assertMatchesReference(new DepthwiseConvNhwc(c.op(), c.w(), c.bias(), c.in(), c.out()), c, r);
        ConvKernelChecks.assertKeepsWeightsAndWritesIntoASlice(
                new DepthwiseConvNhwc(c.op(), c.w(), c.bias(), c.in(), c.out()), c);
    }

    @Test
    void keepsItsWeightsAndWritesIntoAChannelSlice() {
        ConvCase c = randomCase(new SplittableRandom(3));
        ConvKernelChecks.assertKeepsWeightsAndWritesIntoASlice(
                new DepthwiseConvNhwc(c.op(), c.w(), c.bias(), c.in(), c.out()), c);
    }
}
