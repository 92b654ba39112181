package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling on NHWC maps, vectorised across channels (a pixel's channels are contiguous),
 * with PyTorch's window rules: windows clipped to the input (max padding is −∞), and the average's
 * divisor counting padding or not. Windows are given per output row/column by {@link PoolWindows}.
 */
public final class Pool2dNhwc {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators per window: see {@link #window4}. */
    private static final int CHAINS = 4;

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

    public void run(float[] x, int batch, float[] y, Team team) {
        team.parallelFor(batch * out.height(), task -> {
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
        int rowStride = in.width() * c;
        int first = ((b * in.height() + y0) * in.width() + x0) * c;
        float scale = max ? 1f : 1f / (rows.divisor(oy) * cols.divisor(ox));
        int ch = 0;
        for (; ch + CHAINS * S.length() <= c; ch += CHAINS * S.length()) {
            window4(x, first + ch, y1 - y0, x1 - x0, rowStride, c, scale, y, dst + ch);
        }
        for (; ch < c; ch += S.length()) {
            VectorMask<Float> m = S.indexInRange(ch, c);
            FloatVector acc = FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : 0f);
            for (int r = 0, row = first + ch; r < y1 - y0; r++, row += rowStride) {
                for (int t = 0, src = row; t < x1 - x0; t++, src += c) {
                    FloatVector v = FloatVector.fromArray(S, x, src, m);
                    acc = max ? acc.lanewise(VectorOperators.MAX, v) : acc.add(v);
                }
            }
            (max ? acc : acc.mul(scale)).intoArray(y, dst + ch, m);
        }
    }

    /**
     * Four channel vectors of one window at once. Java's vector MAX must propagate NaN as PyTorch does, which
     * costs a compare-and-blend sequence on top of the max instruction; with one accumulator every tap waits
     * for the previous one's whole sequence. Four independent accumulators keep the pipeline full.
     */
    private void window4(
            float[] x, int start, int height, int width, int rowStride, int c, float scale, float[] y, int dst) {
        int l = S.length();
        float init = max ? Float.NEGATIVE_INFINITY : 0f;
        FloatVector a0 = FloatVector.broadcast(S, init);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int r = 0, row = start; r < height; r++, row += rowStride) {
            for (int t = 0, src = row; t < width; t++, src += c) {
                FloatVector v0 = FloatVector.fromArray(S, x, src);
                FloatVector v1 = FloatVector.fromArray(S, x, src + l);
                FloatVector v2 = FloatVector.fromArray(S, x, src + 2 * l);
                FloatVector v3 = FloatVector.fromArray(S, x, src + 3 * l);
                if (max) {
                    a0 = a0.lanewise(VectorOperators.MAX, v0);
                    a1 = a1.lanewise(VectorOperators.MAX, v1);
                    a2 = a2.lanewise(VectorOperators.MAX, v2);
                    a3 = a3.lanewise(VectorOperators.MAX, v3);
                } else {
                    a0 = a0.add(v0);
                    a1 = a1.add(v1);
                    a2 = a2.add(v2);
                    a3 = a3.add(v3);
                }
            }
        }
        if (!max) {
            a0 = a0.mul(scale);
            a1 = a1.mul(scale);
            a2 = a2.mul(scale);
            a3 = a3.mul(scale);
        }
        a0.intoArray(y, dst);
        a1.intoArray(y, dst + l);
        a2.intoArray(y, dst + 2 * l);
        a3.intoArray(y, dst + 3 * l);
    }
}
