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
    /** Per thread, the column maxima of one output row's window rows: see {@link #maxRow}. */
    private static final ThreadLocal<float[]> COLUMN_MAXIMA = ThreadLocal.withInitial(() -> new float[0]);

    private final PoolWindows rows;
    private final PoolWindows cols;
    private final boolean max;
    private final Shape in;
    private final Shape out;

    /** The lanes of a pixel's last channel vector, made once. */
    private final VectorMask<Float> channelTail;
    /** The lanes of an input row's last vector (the row's channels of all its pixels), made once. */
    private final VectorMask<Float> rowTail;

    public Pool2dNhwc(PoolWindows rows, PoolWindows cols, boolean max, Shape in, Shape out) {
        this.rows = rows;
        this.cols = cols;
        this.max = max;
        this.in = in;
        this.out = out;
        this.channelTail = S.indexInRange(in.channels() - in.channels() % S.length(), in.channels());
        int rowFloats = in.width() * in.channels();
        this.rowTail = S.indexInRange(rowFloats - rowFloats % S.length(), rowFloats);
    }

    public void run(float[] x, int batch, float[] y, Team team) {
        team.parallelFor(batch * out.height(), task -> {
            int b = task / out.height();
            int oy = task % out.height();
            if (max) {
                maxRow(x, b, oy, y);
                return;
            }
            for (int ox = 0; ox < out.width(); ox++) {
                pixel(x, b, oy, ox, y);
            }
        });
    }

    /**
     * Max pooling of one output row in two passes: the maximum of the window's input rows at every input
     * column (one flat loop over whole rows, which are contiguous in NHWC), then each output pixel's maximum
     * over its window's columns of that. Straight over a window, every tap waited for the one before (Java's
     * max propagates NaN as PyTorch does, a chain of dependent instructions per tap), and neighbouring windows
     * took the shared rows again; here the maxima are independent of each other, and the common window
     * heights and widths (2 and 3) run unrolled: a loop over the taps ran at half the speed. The maximum does
     * not depend on the order of its operands, NaN included, so the bits are those of a window-by-window loop.
     */
    private void maxRow(float[] x, int b, int oy, float[] y) {
        int c = in.channels();
        int n = in.width() * c;
        int y0 = rows.start(oy);
        int height = rows.end(oy) - y0;
        int lanes = S.length();
        float[] m = COLUMN_MAXIMA.get();
        // A vector longer than needed: a masked load or store that would cross an array's end takes the Vector
        // API's slow path, which allocates.
        if (m.length < n + lanes) {
            m = new float[n + lanes];
            COLUMN_MAXIMA.set(m);
        }
        int first = (b * in.height() + y0) * n;
        int whole = n - n % lanes;
        switch (height) {
            case 3 -> {
                for (int j = 0; j < whole; j += lanes) {
                    max(load(x, first + j), load(x, first + n + j), load(x, first + 2 * n + j))
                            .intoArray(m, j);
                }
            }
            case 2 -> {
                for (int j = 0; j < whole; j += lanes) {
                    max(load(x, first + j), load(x, first + n + j)).intoArray(m, j);
                }
            }
            default -> {
                for (int j = 0; j < whole; j += lanes) {
                    columnMax(x, first + j, n, height).intoArray(m, j);
                }
            }
        }
        if (whole < n) {
            // Unmasked where the loads stay inside x (lanes past the row are never used): a loop of masked
            // loads was not intrinsified by C2 and allocated every vector.
            boolean inside = first + whole + (height - 1) * n + lanes <= x.length;
            (inside ? columnMax(x, first + whole, n, height) : columnMax(x, first + whole, n, height, rowTail))
                    .intoArray(m, whole);
        }
        int wholeChannels = c - c % lanes;
        int dst = (b * out.height() + oy) * out.width() * c;
        for (int ox = 0; ox < out.width(); ox++, dst += c) {
            int x0 = cols.start(ox);
            int width = cols.end(ox) - x0;
            int src = x0 * c;
            if (width == 3) {
                for (int ch = 0; ch < wholeChannels; ch += lanes) {
                    max(load(m, src + ch), load(m, src + c + ch), load(m, src + 2 * c + ch))
                            .intoArray(y, dst + ch);
                }
            } else if (width == 2) {
                for (int ch = 0; ch < wholeChannels; ch += lanes) {
                    max(load(m, src + ch), load(m, src + c + ch)).intoArray(y, dst + ch);
                }
            } else {
                for (int ch = 0; ch < wholeChannels; ch += lanes) {
                    columnMax(m, src + ch, c, width).intoArray(y, dst + ch);
                }
            }
            if (wholeChannels < c) {
                // m has a vector of slack, so its loads need no mask; only the store keeps to the channels.
                columnMax(m, src + wholeChannels, c, width).intoArray(y, dst + wholeChannels, channelTail);
            }
        }
    }

    private static FloatVector load(float[] a, int at) {
        return FloatVector.fromArray(S, a, at);
    }

    private static FloatVector max(FloatVector a, FloatVector b) {
        return a.lanewise(VectorOperators.MAX, b);
    }

    private static FloatVector max(FloatVector a, FloatVector b, FloatVector c) {
        return a.lanewise(VectorOperators.MAX, b).lanewise(VectorOperators.MAX, c);
    }

    /** The maximum of {@code count} vectors {@code stride} apart from {@code at}. */
    private static FloatVector columnMax(float[] a, int at, int stride, int count) {
        FloatVector acc = load(a, at);
        for (int t = 1; t < count; t++) {
            acc = max(acc, load(a, at + t * stride));
        }
        return acc;
    }

    /** As {@link #columnMax(float[], int, int, int)}, the lanes of {@code m} only. */
    private static FloatVector columnMax(float[] a, int at, int stride, int count, VectorMask<Float> m) {
        FloatVector acc = FloatVector.fromArray(S, a, at, m);
        for (int t = 1; t < count; t++) {
            acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, a, at + t * stride, m));
        }
        return acc;
    }

    /** Average pooling of one output pixel, four channel vectors at a time where there are four. */
    private void pixel(float[] x, int b, int oy, int ox, float[] y) {
        int c = in.channels();
        int y0 = rows.start(oy);
        int y1 = rows.end(oy);
        int x0 = cols.start(ox);
        int x1 = cols.end(ox);
        int dst = ((b * out.height() + oy) * out.width() + ox) * c;
        int rowStride = in.width() * c;
        int first = ((b * in.height() + y0) * in.width() + x0) * c;
        float scale = 1f / (rows.divisor(oy) * cols.divisor(ox));
        int ch = 0;
        for (; ch + CHAINS * S.length() <= c; ch += CHAINS * S.length()) {
            window4(x, first + ch, y1 - y0, x1 - x0, rowStride, c, scale, y, dst + ch);
        }
        // The channel tail: loads unmasked where they stay inside x (lanes past the pixel are never stored).
        boolean inside = first + (y1 - y0 - 1) * rowStride + (x1 - x0) * c + S.length() <= x.length;
        for (; ch < c; ch += S.length()) {
            boolean whole = ch + S.length() <= c;
            FloatVector acc = FloatVector.zero(S);
            for (int r = 0, row = first + ch; r < y1 - y0; r++, row += rowStride) {
                for (int t = 0, src = row; t < x1 - x0; t++, src += c) {
                    acc = acc.add(
                            whole || inside
                                    ? FloatVector.fromArray(S, x, src)
                                    : FloatVector.fromArray(S, x, src, channelTail));
                }
            }
            acc = acc.mul(scale);
            if (whole) {
                acc.intoArray(y, dst + ch);
            } else {
                acc.intoArray(y, dst + ch, channelTail);
            }
        }
    }

    /** The sums of four channel vectors of one window at once: independent adds keep the pipeline full. */
    private void window4(
            float[] x, int start, int height, int width, int rowStride, int c, float scale, float[] y, int dst) {
        int l = S.length();
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int r = 0, row = start; r < height; r++, row += rowStride) {
            for (int t = 0, src = row; t < width; t++, src += c) {
                a0 = a0.add(FloatVector.fromArray(S, x, src));
                a1 = a1.add(FloatVector.fromArray(S, x, src + l));
                a2 = a2.add(FloatVector.fromArray(S, x, src + 2 * l));
                a3 = a3.add(FloatVector.fromArray(S, x, src + 3 * l));
            }
        }
        a0.mul(scale).intoArray(y, dst);
        a1.mul(scale).intoArray(y, dst + l);
        a2.mul(scale).intoArray(y, dst + 2 * l);
        a3.mul(scale).intoArray(y, dst + 3 * l);
    }
}
