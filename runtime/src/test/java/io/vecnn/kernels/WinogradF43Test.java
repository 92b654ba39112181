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

    /**
     * A team of two on a map with small weights and enough tiles runs whole groups per member; one thread runs
     * the phases over the team's groups. Every output must be the same bits: the split decides only where a
     * tile's sums are computed, never their order. Sizes whose tile counts do not divide into equal groups.
     */
    @RepeatedTest(6)
    void groupsPerMemberGiveTheSameBitsAsOneThread() {
        SplittableRandom r = SEEDS.split();
        int cin = 8 + r.nextInt(60);
        int cout = 8 + r.nextInt(60);
        int h = 29 + r.nextInt(30);
        int w = 29 + r.nextInt(30);
        int batch = 1 + r.nextInt(2);
        Shape in = new Shape(cin, h, w);
        Shape out = new Shape(cout, h, w);
        float[] weight = RandomTensors.gaussian(r, cout * 9 * cin, Math.sqrt(2.0 / (9 * cin)));
        float[] bias = RandomTensors.gaussian(r, cout, 0.1);
        float[] x = RandomTensors.gaussian(r, (int) (batch * in.size()), 1);
        float[] residual = RandomTensors.gaussian(r, (int) (batch * out.size()), 1);
        WinogradF43 kernel = new WinogradF43(weight, bias, 1, in, out);
        ConvOutput to = ConvOutput.whole(cout, true);
        float[] one = new float[residual.length];
        float[] two = new float[residual.length];

        kernel.run(x, batch, one, residual, to, Team.CALLING_THREAD, new float[kernel.scratchFloats(batch)]);
        kernel.run(x, batch, two, residual, to, TEAM, new float[kernel.scratchFloats(batch)]);

        for (int i = 0; i < one.length; i++) {
            assertEquals(
                    Float.floatToRawIntBits(one[i]),
                    Float.floatToRawIntBits(two[i]),
                    "cin=" + cin + " cout=" + cout + " " + h + "x" + w + " batch " + batch + " at " + i);
        }
    }

    /**
     * The residual is the output array itself (a plan lets the output take the memory of a residual read for
     * the last time): the same bits as with a separate output, on one thread and on a team, small maps and
     * maps large enough for groups per member.
     */
    @RepeatedTest(8)
    void aResidualThatIsTheOutputGivesTheSameBits() {
        SplittableRandom r = SEEDS.split();
        int cin = 1 + r.nextInt(60);
        int cout = 1 + r.nextInt(60);
        int h = 1 + r.nextInt(58);
        int w = 1 + r.nextInt(58);
        int batch = 1 + r.nextInt(2);
        Shape in = new Shape(cin, h, w);
        Shape out = new Shape(cout, h, w);
        float[] weight = RandomTensors.gaussian(r, cout * 9 * cin, Math.sqrt(2.0 / (9 * cin)));
        float[] bias = RandomTensors.gaussian(r, cout, 0.1);
        float[] x = RandomTensors.gaussian(r, (int) (batch * in.size()), 1);
        float[] residual = RandomTensors.gaussian(r, (int) (batch * out.size()), 1);
        WinogradF43 kernel = new WinogradF43(weight, bias, 1, in, out);
        ConvOutput to = ConvOutput.whole(cout, r.nextBoolean());
        for (Team team : new Team[] {Team.CALLING_THREAD, TEAM}) {
            float[] separate = new float[residual.length];
            kernel.run(x, batch, separate, residual, to, team, new float[kernel.scratchFloats(batch)]);
            float[] shared = residual.clone();

            kernel.run(x, batch, shared, shared, to, team, new float[kernel.scratchFloats(batch)]);

            for (int i = 0; i < shared.length; i++) {
                assertEquals(
                        Float.floatToRawIntBits(separate[i]),
                        Float.floatToRawIntBits(shared[i]),
                        "cin=" + cin + " cout=" + cout + " " + h + "x" + w + " batch " + batch + " team of "
                                + team.size() + " at " + i);
            }
        }
    }
}
