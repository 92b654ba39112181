package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.parallel.Team;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.RepeatedTest;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Winograd F(4x4, 3x3) against the reference convolution: map sizes that are no multiple of the 4x4 tile,
 * padding 0 and 1, channels that are no multiple of the vector width, with and without the epilogue.
 * Winograd rounds differently from a direct sum, so the bound is relative to the size of the outputs.
 */
class WinogradF43Test {
    private static final SplittableRandom SEEDS = new SplittableRandom(53);
    private static final java.util.concurrent.ForkJoinPool POOL = new java.util.concurrent.ForkJoinPool(2);
    private static final Team TEAM = Team.of(POOL);

    @RepeatedTest(40)
    void matchesTheReferenceConvolution() {
        SplittableRandom r = SEEDS.split();
        int cin = 1 + r.nextInt(70);
        int cout = 1 + r.nextInt(70);
        int pad = r.nextInt(2);
        int h = 3 - 2 * pad + r.nextInt(18);
        int w = 3 - 2 * pad + r.nextInt(18);
        int batch = 1 + r.nextInt(2);
        Op.Conv2d op = new Op.Conv2d(cout, 3, 3, 1, 1, pad, pad, 1, 1, 1, "w", "b");
        float[] weight = RandomTensors.gaussian(r, cout * 9 * cin, Math.sqrt(2.0 / (9 * cin)));
        float[] bias = RandomTensors.gaussian(r, cout, 0.1);
        Tensor x = new Tensor(batch, h, w, cin, RandomTensors.gaussian(r, batch * h * w * cin, 1));
        Tensor want = ReferenceExecutor.apply(
                new Node("c", op, List.of("x"), "y"),
                List.of(x),
                Map.of("w", new WeightTensor(new int[] {cout, 3, 3, cin}, weight), "b", WeightTensor.vector(bias)));
        float[] residual = r.nextBoolean() ? RandomTensors.gaussian(r, want.data().length, 1) : null;
        boolean relu = r.nextBoolean();
        Shape out = new Shape(cout, want.height(), want.width());
        float[] y = new float[want.data().length];

        WinogradF43 kernel = new WinogradF43(weight, bias, pad, new Shape(cin, h, w), out);
        kernel.run(
                x.data(),
                batch,
                y,
                residual,
                ConvOutput.whole(cout, relu),
                TEAM,
                new float[kernel.scratchFloats(batch)]);

        double scale = 0;
        double diff = 0;
        for (int i = 0; i < y.length; i++) {
            double v = want.data()[i] + (residual == null ? 0 : residual[i]);
            v = relu ? Math.max(v, 0) : v;
            scale = Math.max(scale, Math.abs(v));
            diff = Math.max(diff, Math.abs(v - y[i]));
        }
        assertTrue(
                diff <= 2e-5 * scale + 1e-6,
                "cin=" + cin + " cout=" + cout + " " + h + "x" + w + " pad " + pad + ": max diff " + diff
                        + " for outputs up to " + scale);
    }

    /** A random 3x3 same-padded layer with its input batch and a residual of the output's shape. */
    private record Layer(int batch, WinogradF43 kernel, float[] x, float[] residual, String name) {
        static Layer random(SplittableRandom r, int minChannels, int minSize, int sizes) {
            int cin = minChannels + r.nextInt(60);
            int cout = minChannels + r.nextInt(60);
            int h = minSize + r.nextInt(sizes);
            int w = minSize + r.nextInt(sizes);
            int batch = 1 + r.nextInt(2);
            Shape in = new Shape(cin, h, w);
            Shape out = new Shape(cout, h, w);
            float[] weight = RandomTensors.gaussian(r, cout * 9 * cin, Math.sqrt(2.0 / (9 * cin)));
            float[] bias = RandomTensors.gaussian(r, cout, 0.1);
            float[] x = RandomTensors.gaussian(r, (int) (batch * in.size()), 1);
            float[] residual = RandomTensors.gaussian(r, (int) (batch * out.size()), 1);
            String name = "cin=" + cin + " cout=" + cout + " " + h + "x" + w + " batch " + batch;
            return new Layer(batch, new WinogradF43(weight, bias, 1, in, out), x, residual, name);
        }

        float[] run(float[] y, float[] residual, ConvOutput to, Team team) {
            kernel.run(x, batch, y, residual, to, team, new float[kernel.scratchFloats(batch)]);
            return y;
        }
    }

    private static void assertSameBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " at " + i);
        }
    }

    /**
     * A team of two on a map with small weights and enough tiles runs whole groups per member; one thread runs
     * the phases over the team's groups. Every output must be the same bits: the split decides only where a
     * tile's sums are computed, never their order. Sizes whose tile counts do not divide into equal groups.
     */
    @RepeatedTest(6)
    void groupsPerMemberGiveTheSameBitsAsOneThread() {
        Layer l = Layer.random(SEEDS.split(), 8, 29, 30);
        ConvOutput to = ConvOutput.whole(l.kernel().outputShape().channels(), true);

        float[] one = l.run(new float[l.residual().length], l.residual(), to, Team.CALLING_THREAD);
        float[] two = l.run(new float[l.residual().length], l.residual(), to, TEAM);

        assertSameBits(one, two, l.name());
    }

    /**
     * The residual is the output array itself (a plan lets the output take the memory of a residual read for
     * the last time): the same bits as with a separate output, on one thread and on a team, small maps and
     * maps large enough for groups per member.
     */
    @RepeatedTest(8)
    void aResidualThatIsTheOutputGivesTheSameBits() {
        SplittableRandom r = SEEDS.split();
        Layer l = Layer.random(r, 1, 1, 58);
        ConvOutput to = ConvOutput.whole(l.kernel().outputShape().channels(), r.nextBoolean());
        for (Team team : new Team[] {Team.CALLING_THREAD, TEAM}) {
            float[] separate = l.run(new float[l.residual().length], l.residual(), to, team);
            float[] shared = l.residual().clone();

            l.run(shared, shared, to, team);

            assertSameBits(separate, shared, l.name() + " team of " + team.size());
        }
    }
}
