package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Op;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static io.vecnn.testing.RandomTensors.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The implicit-GEMM stem convolution against the reference twin: 1-4 input channels, kernels up to 11x11,
 * strides up to 4, output channels in whole panels or with a partial last one, padding beyond half the kernel, odd map sizes (pixel groups straddling output rows and
 * a short last group), batches, residual and ReLU, a slice of a wider output, and any thread count.
 */
class Conv2dImplicitGemmTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(53);
    private static final Team TEAM = ConvKernelChecks.TEAM;
    /** The widest panel this register file takes. */
    private static final int NR = Conv2dImplicitGemm.panelWidthFor(Integer.MAX_VALUE);

    private static ConvCase randomCase(SplittableRandom r) {
        int inC = 1 + r.nextInt(Conv2dImplicitGemm.MAX_INPUT_CHANNELS);
        // Whole panels of the widest kernel, or any count from 1: each panel width, partial last panels.
        int outC = r.nextBoolean() ? NR * (1 + r.nextInt(2)) : 1 + r.nextInt(2 * NR);
        int kh = 2 + r.nextInt(10);
        int kw = r.nextInt(3) == 0 ? 1 + r.nextInt(11) : kh;
        int sh = 1 + r.nextInt(4);
        int sw = r.nextInt(3) == 0 ? 1 + r.nextInt(4) : sh;
        int ph = r.nextInt(kh / 2 + 2);
        int pw = r.nextInt(kw / 2 + 2);
        int h = Math.max(1, kh - 2 * ph) + r.nextInt(30);
        int w = Math.max(1, kw - 2 * pw) + r.nextInt(30);
        int batch = 1 + r.nextInt(3);
        Op.Conv2d op = new Op.Conv2d(outC, kh, kw, sh, sw, ph, pw, 1, 1, 1, "w", r.nextBoolean() ? "b" : null);
        return ConvCase.random(op, inC, h, w, batch, r);
    }

    private static float[] run(
            Conv2dImplicitGemm conv,
            ConvCase c,
            float[] y,
            int yChannel,
            int yChannels,
            float[] residual,
            boolean relu,
            Team team) {
        conv.run(
                c.x().data(),
                c.x().batch(),
                y,
                residual,
                new ConvOutput(yChannel, yChannels, relu),
                team,
                new float[conv.scratchFloats(c.x().batch())]);
        return y;
    }

    @RepeatedTest(60)
    void randomStemsWithResidualAndReluMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        ConvCase c = randomCase(r);
        Tensor want = c.reference();
        float[] residual = r.nextBoolean() ? gaussian(r, want.data().length) : null;
        boolean relu = r.nextBoolean();
        Conv2dImplicitGemm conv = new Conv2dImplicitGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        float[] y = run(conv, c, new float[want.data().length], 0, c.out().channels(), residual, relu, TEAM);
        c.assertMatches(want, residual, relu, y, 1e-5);
    }

    /**
     * An activation after the epilogue (EfficientNet's SiLU stem), into the whole map or a slice of a wider one:
     * it runs once per group of rows after all panels, over contiguous rows or row by row.
     */
    @RepeatedTest(30)
    void randomStemsWithAnActivationMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        ConvCase c = randomCase(r);
        Tensor want = c.reference();
        ActivationFunction f = ActivationFunction.values()[r.nextInt(ActivationFunction.values().length)];
        boolean relu = r.nextBoolean();
        int channels = c.out().channels();
        boolean slice = r.nextBoolean();
        int yChannel = slice ? 3 : 0;
        int yChannels = slice ? channels + 5 : channels;
        int pixels = want.data().length / channels;
        float[] y = new float[pixels * yChannels];
        Conv2dImplicitGemm conv = new Conv2dImplicitGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        conv.run(
                c.x().data(),
                c.x().batch(),
                y,
                null,
                new ConvOutput(yChannel, yChannels, relu).withActivation(f),
                TEAM,
                new float[conv.scratchFloats(c.x().batch())]);
        for (int p = 0; p < pixels; p++) {
            for (int o = 0; o < yChannels; o++) {
                float got = y[p * yChannels + o];
                if (o < yChannel || o >= yChannel + channels) {
                    assertEquals(0f, got, "outside the slice at pixel " + p + " channel " + o);
                    continue;
                }
                double v = want.data()[p * channels + o - yChannel];
                v = f.apply(relu ? Math.max(v, 0) : v);
                assertEquals(v, got, 1e-4 * (1 + Math.abs(v)), f + " " + c.op() + " at pixel " + p + " channel " + o);
            }
        }
    }

    /** ResNet's stem as the networks run it: 3x224x224, 7x7 stride 2, padding 3, 64 channels. */
    @Test
    void resnetStemMatchesTheReference() {
        SplittableRandom r = new SplittableRandom(7);
        Op.Conv2d op = new Op.Conv2d(64, 7, 7, 2, 2, 3, 3, 1, 1, 1, "w", "b");
        Shape in = new Shape(3, 224, 224);
        ConvCase c = new ConvCase(
                op,
                in,
                new Shape(64, 112, 112),
                gaussian(r, 64 * 49 * 3),
                gaussian(r, 64),
                new Tensor(1, 224, 224, 3, gaussian(r, 3 * 224 * 224)));
        float[] want = c.reference().data();
        float[] y = run(
                new Conv2dImplicitGemm(op, c.w(), c.bias(), in, c.out()),
                c,
                new float[want.length],
                0,
                64,
                null,
                true,
                TEAM);
        for (int i = 0; i < y.length; i++) {
            assertEquals(Math.max(want[i], 0), y[i], 1e-5 * (1 + Math.abs(want[i])) * Math.sqrt(147), "at " + i);
        }
    }

    @Test
    void writesIntoAChannelSliceOfAWiderOutputAndKeepsItsWeights() {
        ConvCase c = randomCase(new SplittableRandom(11));
        Conv2dImplicitGemm conv = new Conv2dImplicitGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        int wide = c.out().channels() + 9;
        int pixels = c.x().batch() * c.out().height() * c.out().width();
        float[] y = new float[pixels * wide];
        Arrays.fill(y, -99f);
        run(conv, c, y, 5, wide, null, false, TEAM);
        float[] alone =
                run(conv, c, new float[pixels * c.out().channels()], 0, c.out().channels(), null, false, TEAM);
        for (int p = 0; p < pixels; p++) {
            for (int ch = 0; ch < wide; ch++) {
                float v = y[p * wide + ch];
                assertEquals(
                        ch < 5 || ch >= 5 + c.out().channels()
                                ? -99f
                                : alone[p * c.out().channels() + ch - 5],
                        v,
                        "pixel " + p + " channel " + ch);
            }
        }
        assertArrayEquals(c.w(), conv.ohwiWeight());
        assertArrayEquals(c.bias(), conv.bias());
    }

    @Test
    void resultDoesNotDependOnTheThreadCount() {
        ConvCase c = randomCase(new SplittableRandom(12));
        Conv2dImplicitGemm conv = new Conv2dImplicitGemm(c.op(), c.w(), c.bias(), c.in(), c.out());
        ConvKernelChecks.assertSameOnOneThreadAndTwo(
                conv, c, null, ConvOutput.whole(c.out().channels(), true));
    }

    @Test
    void appliesOnlyToFewInputChannelsAndKernelsLargerThanOne() {
        Shape rgb = new Shape(3, 32, 32);
        assertTrue(Conv2dImplicitGemm.applies(new Op.Conv2d(NR, 7, 7, 2, 2, 3, 3, 1, 1, 1, "w", null), rgb));
        assertFalse(Conv2dImplicitGemm.applies(
                new Op.Conv2d(NR, 3, 3, 1, 1, 1, 1, 1, 1, 1, "w", null),
                new Shape(Conv2dImplicitGemm.MAX_INPUT_CHANNELS + 1, 32, 32)));
        assertTrue(Conv2dImplicitGemm.applies(new Op.Conv2d(NR + 1, 7, 7, 2, 2, 3, 3, 1, 1, 1, "w", null), rgb));
        assertTrue(Conv2dImplicitGemm.applies(new Op.Conv2d(1, 3, 3, 2, 2, 0, 0, 1, 1, 1, "w", null), rgb));
        assertFalse(Conv2dImplicitGemm.applies(new Op.Conv2d(NR, 1, 1, 1, 1, 0, 0, 1, 1, 1, "w", null), rgb));
        assertFalse(Conv2dImplicitGemm.applies(new Op.Conv2d(NR, 3, 3, 1, 1, 2, 2, 2, 2, 1, "w", null), rgb));
        Op.Conv2d grouped = new Op.Conv2d(NR, 3, 3, 1, 1, 1, 1, 1, 1, 3, "w", null);
        assertFalse(Conv2dImplicitGemm.applies(grouped, rgb));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Conv2dImplicitGemm(grouped, new float[NR * 3 * 3], null, rgb, new Shape(NR, 32, 32)));
        assertTrue(e.getMessage().contains("one group"), e.getMessage());
    }

    @Test
    void panelsAreTheNarrowestThatHoldTheChannels() {
        int v = VectorIsa.LANES;
        assertEquals(v, Conv2dImplicitGemm.panelWidthFor(1));
        assertEquals(v, Conv2dImplicitGemm.panelWidthFor(v));
        assertEquals(2 * v, Conv2dImplicitGemm.panelWidthFor(v + 1));
        assertEquals(2 * v, Conv2dImplicitGemm.panelWidthFor(2 * v));
        // 4-vector panels only where 32 registers hold their 24 accumulators.
        int widest = VectorIsa.wideRegisterFile() ? 4 * v : 2 * v;
        assertEquals(widest, Conv2dImplicitGemm.panelWidthFor(2 * v + 1));
        assertEquals(widest, Conv2dImplicitGemm.panelWidthFor(1000));
    }
}
