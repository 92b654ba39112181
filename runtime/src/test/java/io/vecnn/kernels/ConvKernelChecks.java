package io.vecnn.kernels;

import io.vecnn.Tensor;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.ActivationFunction;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static io.vecnn.testing.RandomTensors.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What every direct convolution kernel's tests check, against {@link ConvCase}'s reference twin. */
final class ConvKernelChecks {
    /** Two workers, so the kernels' parallel loops split; its threads are daemons that end with the tests. */
    static final Team TEAM = Team.of(new ForkJoinPool(2));

    private ConvKernelChecks() {}

    /**
     * Runs {@code conv} on the case's input with a random epilogue (residual, ReLU, an activation, each or not)
     * and compares with the reference, within float rounding grown with the length of each output's sum.
     */
    static void assertMatchesReference(ConvKernel conv, ConvCase c, SplittableRandom r) {
        Tensor want = c.reference();
        float[] residual = r.nextBoolean() ? gaussian(r, want.data().length) : null;
        boolean relu = r.nextInt(3) == 0;
        ActivationFunction f =
                r.nextBoolean() ? null : ActivationFunction.values()[r.nextInt(ActivationFunction.values().length)];
        float[] y = new float[want.data().length];

        conv.run(
                c.x().data(),
                c.x().batch(),
                y,
                residual,
                ConvOutput.whole(c.out().channels(), relu).withActivation(f),
                TEAM,
                new float[conv.scratchFloats(c.x().batch())]);

        double scale = Math.sqrt(c.op().kernelH() * c.op().kernelW() * c.in().channels() / c.op().groups());
        for (int i = 0; i < y.length; i++) {
            double v = want.data()[i] + (residual == null ? 0 : residual[i]);
            v = relu ? Math.max(v, 0) : v;
            v = f == null ? v : f.apply(v);
            assertEquals(v, y[i], 1e-5 * (1 + Math.abs(v)) * scale, c.op() + " " + c.in() + " " + f + " at " + i);
        }
    }

    /**
     * Runs {@code conv} on the case's input on the calling thread and on {@link #TEAM}, which must give the same
     * bits; returns the calling thread's output.
     */
    static float[] assertSameOnOneThreadAndTwo(ConvKernel conv, ConvCase c, float[] residual, ConvOutput to) {
        int size = c.x().batch() * (int) c.out().size();
        float[] one = new float[size];
        float[] two = new float[size];
        conv.run(
                c.x().data(),
                c.x().batch(),
                one,
                residual,
                to,
                Team.CALLING_THREAD,
                new float[conv.scratchFloats(c.x().batch())]);
        conv.run(c.x().data(), c.x().batch(), two, residual, to, TEAM, new float[conv.scratchFloats(c.x().batch())]);
        assertArrayEquals(one, two, c.op() + " " + c.in());
        return one;
    }

    /**
     * The kernel gives back the weights it was made from, and written into channels 4.. of a wider map it
     * writes what it writes alone there and nothing elsewhere.
     */
    static void assertKeepsWeightsAndWritesIntoASlice(ConvKernel conv, ConvCase c) {
        assertArrayEquals(c.w(), conv.ohwiWeight());
        assertArrayEquals(c.bias(), conv.bias());
        int channels = c.out().channels();
        int wide = channels + 9;
        int pixels = c.x().batch() * c.out().height() * c.out().width();
        float[] y = new float[pixels * wide];
        Arrays.fill(y, -99f);
        float[] scratch = new float[conv.scratchFloats(c.x().batch())];
        conv.run(c.x().data(), c.x().batch(), y, null, new ConvOutput(4, wide, false), TEAM, scratch);
        float[] alone = new float[pixels * channels];
        conv.run(
                c.x().data(),
                c.x().batch(),
                alone,
                null,
                ConvOutput.whole(channels, false),
                Team.CALLING_THREAD,
                scratch);
        for (int p = 0; p < pixels; p++) {
            for (int ch = 0; ch < wide; ch++) {
                assertEquals(
                        ch < 4 || ch >= 4 + channels ? -99f : alone[p * channels + ch - 4],
                        y[p * wide + ch],
                        "pixel " + p + " channel " + ch);
            }
        }
    }
}
