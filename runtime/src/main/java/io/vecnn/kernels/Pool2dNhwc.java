package io.vecnn.kernels;

import io.vecnn.graph.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.ForkJoinPool;

/**
 * Max and average pooling on NHWC maps, vectorised across channels (a pixel's channels are contiguous),
 * with PyTorch's window rules: windows clipped to the input (max padding is −∞), and the average's
 * divisor counting padding or not. Windows are given per output row/column by {@link PoolWindows}.
 */
public final class Pool2dNhwc {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final PoolWindows rows;
    private final PoolWindows cols;
    private final boolean max;
    private final Shape in;
    private final Shape out;

    public Pool2dNhwc(PoolWindows rows, PoolWindows cols, boolean max, Shape in, Shape out) {
        this.rows = rows;
        this.cols = cols;
        this.max = max;
        this.in = in;
        this.out = out;
    }

    public void run(float[] x, int batch, float[] y, ForkJoinPool pool) {
        ParallelFor.run(pool, batch * out.height(), task -> {
            int b = task / out.height();
            int oy = task % out.height();
            for (int ox = 0; ox < out.width(); ox++) {
                pixel(x, b, oy, ox, y);
            }
        });
    }

    private void pixel(float[] x, int b, int oy, int ox, float[] y) {
        int c = in.channels();
        int y0 = rows.start(oy);
        int y1 = rows.end(oy);
        int x0 = cols.start(ox);
        int x1 = cols.end(ox);
        int dst = ((b * out.height() + oy) * out.width() + ox) * c;
        float scale = max ? 1f : 1f / (rows.divisor(oy) * cols.divisor(ox));
        for (int ch = 0; ch < c; ch += S.length()) {
            VectorMask<Float> m = S.indexInRange(ch, c);
            FloatVector acc = FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : 0f);
            for (int iy = y0; iy < y1; iy++) {
                int src = ((b * in.height() + iy) * in.width() + x0) * c + ch;
                for (int ix = x0; ix < x1; ix++, src += c) {
                    FloatVector v = FloatVector.fromArray(S, x, src, m);
                    // NaN must win a max as in PyTorch; MAX on vectors follows Math.max, which propagates NaN.
                    acc = max ? acc.lanewise(VectorOperators.MAX, v) : acc.add(v);
                }
            }
            if (!max) {
                acc = acc.mul(scale);
            }
            acc.intoArray(y, dst + ch, m);
        }
    }
}
