package io.vecnn.kernels;

import io.vecnn.graph.Op;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/**
 * The grouped kernel against the reference twin on random shapes: groups narrower than a vector that divide it
 * (the permutation path), groups of a vector or more, groups that straddle vectors, fewer or more inputs than
 * outputs a group, channel counts off the vector width, 1x1 to 5x5 kernels, strides 1 and 2, padding and
 * dilation, with residual, ReLU and an activation.
 */
class GroupedConvNhwcTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(37);

    private static ConvCase randomCase(SplittableRandom r) {
        int v = VectorIsa.LANES;
        int[] groupWidths = {2, 4, 8, v / 2, v, v + 8, 3, 5, 24, 2 * v};
        int groupOut = groupWidths[r.nextInt(groupWidths.length)];
        int groupIn = r.nextInt(4) == 0 ? groupWidths[r.nextInt(groupWidths.length)] : groupOut;
        int groups = 2 + r.nextInt(r.nextBoolean() ? 3 : 9);
        int[] kernels = {3, 3, 1, 5};
        int kh = kernels[r.nextInt(kernels.length)];
        int kw = r.nextInt(4) == 0 ? kernels[r.nextInt(kernels.length)] : kh;
        int sh = 1 + r.nextInt(2);
        int sw = r.nextInt(4) == 0 ? 1 + r.nextInt(2) : sh;
        int ph = r.nextInt(kh / 2 + 2);
        int pw = r.nextInt(kw / 2 + 2);
        int dil = r.nextInt(6) == 0 ? 2 : 1;
        int h = Math.max(1, dil * (kh - 1) + 1 - 2 * ph) + r.nextInt(11);
        int w = Math.max(1, dil * (kw - 1) + 1 - 2 * pw) + r.nextInt(11);
        int batch = 1 + r.nextInt(2);
        int inChannels = groups * groupIn;
        int outChannels = groups * groupOut;
        Op.Conv2d op =
                new Op.Conv2d(outChannels, kh, kw, sh, sw, ph, pw, dil, dil, groups, "w", r.nextBoolean() ? "b" : null);
        return ConvCase.random(op, inChannels, h, w, batch, r);
    }

    @RepeatedTest(120)
    void randomGroupedConvolutionsMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        ConvCase c = randomCase(r);
        ConvKernelChecks.assertMatchesReference(new GroupedConvNhwc(c.op(), c.w(), c.bias(), c.in(), c.out()), c, r);
    }

    @Test
    void keepsItsWeightsAndWritesIntoAChannelSlice() {
        for (int seed = 0; seed < 6; seed++) {
            ConvCase c = randomCase(new SplittableRandom(seed));
            ConvKernelChecks.assertKeepsWeightsAndWritesIntoASlice(
                    new GroupedConvNhwc(c.op(), c.w(), c.bias(), c.in(), c.out()), c);
        }
    }
}
