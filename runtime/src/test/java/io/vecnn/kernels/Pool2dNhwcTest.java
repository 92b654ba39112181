package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.parallel.Team;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.ShapeInference;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Vectorised pooling against the reference twin: ceil mode, padding, both divisor rules, adaptive bins, odd channels. */
class Pool2dNhwcTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(41);

    private static final Team TEAM = ConvKernelChecks.TEAM;

    /** On the calling thread and on a team of two (max pooling keeps a row of scratch per thread). */
    private static void check(Op op, Tensor x, Pool2dNhwc kernel, Shape out) {
        Tensor want = ReferenceExecutor.apply(new Node("p", op, List.of("x"), "y"), List.of(x), Map.of());
        for (Team team : new Team[] {Team.CALLING_THREAD, TEAM}) {
            float[] y = new float[want.data().length];
            kernel.run(x.data(), x.batch(), y, team);
            for (int i = 0; i < y.length; i++) {
                assertEquals(
                        want.data()[i],
                        y[i],
                        1e-5 * (1 + Math.abs(want.data()[i])),
                        op + " at " + i + " on a team of " + team.size());
            }
        }
    }

    @RepeatedTest(40)
    void randomWindowsMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        int k = 1 + r.nextInt(5);
        int s = 1 + r.nextInt(3);
        int p = r.nextInt(k / 2 + 1);
        boolean ceil = r.nextBoolean();
        boolean max = r.nextBoolean();
        boolean include = r.nextBoolean();
        Tensor x = RandomTensors.gaussian(r, 1 + r.nextInt(2), k + r.nextInt(11), k + r.nextInt(11), 1 + r.nextInt(40));
        Op op = max ? new Op.MaxPool2d(k, k, s, s, p, p, ceil) : new Op.AvgPool2d(k, k, s, s, p, p, ceil, include);
        Shape in = new Shape(x.channels(), x.height(), x.width());
        Shape out = ShapeInference.outputShape(new Node("p", op, List.of("x"), "y"), List.of(in), n -> null);
        check(
                op,
                x,
                new Pool2dNhwc(
                        PoolWindows.of(in.height(), out.height(), k, s, p, max || include),
                        PoolWindows.of(in.width(), out.width(), k, s, p, max || include),
                        max,
                        in,
                        out),
                out);
    }

    @RepeatedTest(10)
    void adaptiveBinsMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        Tensor x = RandomTensors.gaussian(r, 2, 1 + r.nextInt(14), 1 + r.nextInt(14), 1 + r.nextInt(35));
        int oh = 1 + r.nextInt(8);
        int ow = 1 + r.nextInt(8);
        Shape in = new Shape(x.channels(), x.height(), x.width());
        Shape out = new Shape(x.channels(), oh, ow);
        check(
                new Op.AdaptiveAvgPool2d(oh, ow),
                x,
                new Pool2dNhwc(
                        PoolWindows.adaptive(in.height(), oh), PoolWindows.adaptive(in.width(), ow), false, in, out),
                out);
    }

    @Test
    void maxPoolPropagatesNaNLikePyTorch() {
        Tensor x = new Tensor(1, 2, 2, 1, new float[] {1f, Float.NaN, 3f, 2f});
        Shape in = new Shape(1, 2, 2);
        Shape out = new Shape(1, 1, 1);
        float[] y = new float[1];
        new Pool2dNhwc(PoolWindows.of(2, 1, 2, 2, 0, true), PoolWindows.of(2, 1, 2, 2, 0, true), true, in, out)
                .run(x.data(), 1, y, Team.CALLING_THREAD);
        assertTrue(Float.isNaN(y[0]));
    }
}
