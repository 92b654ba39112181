package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Op;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * A depthwise convolution (one filter per channel: {@code groups == in == out}, MobileNet's and EfficientNet's
 * 3x3 and 5x5, ConvNeXt's 7x7), vectorised along the channels that NHWC keeps contiguous. There is no
 * reduction over channels, so a GEMM would multiply by a block-diagonal matrix of zeros; instead each vector
 * of channels sums its kernel taps directly. Interior pixels go {@value #PIXELS} at a time, so each weight
 * vector loaded serves {@value #PIXELS} FMAs (4 accumulators, a weight and the inputs fit 16 registers);
 * edge pixels, whose windows overhang the padding, skip the taps outside the map one pixel at a time.
 * The layer is memory-bound: it reads the input about once and does only {@code kh*kw} FMAs per value.
 */
public final class DepthwiseConvNhwc implements ConvKernel {
    private static final VectorSpecies<Float> S = VectorIsa.SPECIES;
    private static final int V = VectorIsa.LANES;
    private static final int PIXELS = 4;
    /**
     * Channel vectors per task where the window slides: with tasks of whole rows, a 7x7 map (EfficientNet's
     * last stages, 1152 channels) gave two threads 4 and 3 rows.
     */
    private static final int BLOCK_VECTORS = 8;

    private final Op.Conv2d op;
    private final Shape in;
    private final Shape out;
    private final int channels;
    /** Channels rounded up to whole vectors: the stride of {@link #weight} rows and the length of {@link #bias}. */
    private final int padded;
    /** {@code [kh][kw][padded]}, zero beyond {@link #channels}: each tap's weights load as whole vectors. */
    private final float[] weight;
    /** Per channel, zeros without a bias, so the accumulators start from it either way. */
    private final float[] bias;

    private final boolean hasBias;
    /** Whether interior rows take {@link #row3x3}: a 3x3 window, undilated, stride 1 or 2, padding at most 1. */
    private final boolean sliding3x3;
    /** Whether rows take {@link #pass5}: a 5x5 window, undilated, stride 1 or 2, padding at most 2. */
    private final boolean rowPasses5;
    /** Tasks per output row: blocks of {@link #BLOCK_VECTORS} channel vectors where the window slides, else 1. */
    private final int channelBlocks;

    /**
     * @param weight OHWI weights, {@code [channels][kh][kw][1]}
     * @param bias   per channel, or null
     */
    public DepthwiseConvNhwc(Op.Conv2d op, float[] weight, float[] bias, Shape in, Shape out) {
        if (op.groups() != in.channels() || op.outChannels() != in.channels()) {
            throw new IllegalArgumentException(
                    "a depthwise convolution has one group per input and output channel; " + "got " + op + " on " + in);
        }
        this.op = op;
        this.in = in;
        this.out = out;
        this.channels = in.channels();
        this.padded = (channels + V - 1) / V * V;
        int taps = op.kernelH() * op.kernelW();
        this.weight = new float[taps * padded];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < taps; t++) {
                this.weight[t * padded + c] = weight[c * taps + t];
            }
        }
        this.bias = new float[padded];
        this.hasBias = bias != null;
        this.sliding3x3 = slides(op, 3);
        this.rowPasses5 = slides(op, 5);
        int vectors = channels / V;
        this.channelBlocks = sliding3x3 || rowPasses5 ? Math.max(1, (vectors + BLOCK_VECTORS - 1) / BLOCK_VECTORS) : 1;
        if (bias != null) {
            System.arraycopy(bias, 0, this.bias, 0, channels);
        }
    }

    /** A {@code size} x {@code size} window, undilated, stride 1 or 2, padded by at most half of it. */
    private static boolean slides(Op.Conv2d op, int size) {
        return op.kernelH() == size
                && op.kernelW() == size
                && op.dilationH() == 1
                && op.dilationW() == 1
                && op.strideW() <= 2
                && op.padW() <= size / 2;
    }

    /**
     * One filter per channel: as many groups as input and output channels (a single channel is an ordinary
     * convolution, which the GEMM kernels take; this one computes it too).
     */
    public static boolean applies(Op.Conv2d op, Shape in) {
        return op.groups() > 1 && op.groups() == in.channels() && op.outChannels() == in.channels();
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public String algorithm() {
        return "depthwise";
    }

    @Override
    public float[] ohwiWeight() {
        int taps = op.kernelH() * op.kernelW();
        float[] w = new float[channels * taps];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < taps; t++) {
                w[c * taps + t] = weight[t * padded + c];
            }
        }
        return w;
    }

    @Override
    public float[] bias() {
        return hasBias ? Arrays.copyOf(bias, channels) : null;
    }

    @Override
    public void run(float[] x, int batch, float[] y, float[] residual, ConvOutput to, Team team, float[] scratch) {
        int oh = out.height();
        int blocks = channelBlocks;
        team.parallelFor(batch * oh * blocks, task -> {
            int r = task / blocks;
            row(x, r / oh, r % oh, task % blocks, y, residual, to);
        });
    }

    /**
     * Block {@code block} of the channels of output row {@code oy} of image {@code b}: rows whose window slides
     * are split into {@link #channelBlocks} tasks, the others run whole as block 0.
     */
    private void row(float[] x, int b, int oy, int block, float[] y, float[] residual, ConvOutput to) {
        int ow = out.width();
        ConvRowWindow window = ConvRowWindow.of(op, in, out, oy);
        int iy0 = window.iy0();
        int kyFrom = window.kyFrom();
        int kyTo = window.kyTo();
        int oxFrom = window.oxFrom();
        int oxTo = window.oxTo();
        int rowPixel = (b * out.height() + oy) * ow;
        int inRow = b * in.height() * in.width();
        // Channels innermost: consecutive loads of a pixel's window read consecutive channels, so a row's
        // input streams through the cache instead of being re-read one cache line per pixel per channel block.
        int whole = channels - channels % V;
        boolean slides3 = sliding3x3 && kyFrom == 0 && kyTo == 3;
        boolean slides5 = rowPasses5 && kyFrom < kyTo;
        if (slides3 || slides5) {
            int cFrom = block * BLOCK_VECTORS * V;
            int cTo = Math.min(whole, cFrom + BLOCK_VECTORS * V);
            boolean last = block == channelBlocks - 1;
            for (int c = cFrom; c < cTo; c += V) {
                if (slides3) {
                    row3x3(x, inRow, iy0, c, y, rowPixel, residual, to);
                    continue;
                }
                for (int ky = kyFrom; ky < kyTo; ky++) {
                    int rowStart = (inRow + (iy0 + ky) * in.width()) * channels + c;
                    pass5(x, rowStart, ky * 5 * padded + c, ky == kyFrom, ky == kyTo - 1, c, y, rowPixel, residual, to);
                }
            }
            for (int ox = 0; last && whole < channels && ox < ow; ox++) {
                pixel(x, inRow, iy0, kyFrom, kyTo, ox, whole, y, rowPixel + ox, residual, to);
            }
            activate(y, rowPixel, to, cFrom, last ? channels : cTo);
            return;
        }
        if (block > 0) {
            return;
        }
        int ox = 0;
        for (; ox < oxFrom; ox++) {
            pixel(x, inRow, iy0, kyFrom, kyTo, ox, 0, y, rowPixel + ox, residual, to);
        }
        for (; ox + PIXELS <= oxTo; ox += PIXELS) {
            interior4(x, inRow, iy0, kyFrom, kyTo, ox, whole, y, rowPixel + ox, residual, to);
            for (int p = 0; whole < channels && p < PIXELS; p++) {
                pixel(x, inRow, iy0, kyFrom, kyTo, ox + p, whole, y, rowPixel + ox + p, residual, to);
            }
        }
        for (; ox < ow; ox++) {
            pixel(x, inRow, iy0, kyFrom, kyTo, ox, 0, y, rowPixel + ox, residual, to);
        }
        activate(y, rowPixel, to, 0, channels);
    }

    /**
     * The activation over channels {@code [from, to)} of an output row just written, still in L1: applied per
     * vector inside the loops, the activation's code kept the accumulators from staying in registers.
     */
    private void activate(float[] y, int rowPixel, ConvOutput to, int from, int until) {
        ActivationFunction f = to.activation();
        if (f == null) {
            return;
        }
        ActivationVectors.applyToRows(f, y, to.index(rowPixel, 0), to.channels(), out.width(), from, until);
    }

    /**
     * One output row of a 3x3 window (stride 1 or 2, padding at most 1) whose three input rows all lie in the
     * map, one vector of channels: the nine weight vectors stay in registers while the window slides along
     * the row, and each step loads only the input columns it has not seen (three at stride 1, six at 2).
     * A column left or right of the map is zero. Per output vector that is 3 loads for 9 FMAs, where the
     * four-pixel path loads a weight and an input for every FMA and is bound by its loads. The taps are
     * summed in the same order as there.
     */
    private void row3x3(
            float[] x, int inRow, int iy0, int c, float[] y, int rowPixel, float[] residual, ConvOutput to) {
        int w = in.width();
        int ow = out.width();
        int rs = w * channels;
        int top = (inRow + iy0 * w) * channels + c;
        FloatVector w00 = FloatVector.fromArray(S, weight, c);
        FloatVector w01 = FloatVector.fromArray(S, weight, padded + c);
        FloatVector w02 = FloatVector.fromArray(S, weight, 2 * padded + c);
        FloatVector w10 = FloatVector.fromArray(S, weight, 3 * padded + c);
        FloatVector w11 = FloatVector.fromArray(S, weight, 4 * padded + c);
        FloatVector w12 = FloatVector.fromArray(S, weight, 5 * padded + c);
        FloatVector w20 = FloatVector.fromArray(S, weight, 6 * padded + c);
        FloatVector w21 = FloatVector.fromArray(S, weight, 7 * padded + c);
        FloatVector w22 = FloatVector.fromArray(S, weight, 8 * padded + c);
        FloatVector b = FloatVector.fromArray(S, bias, c);
        FloatVector zero = FloatVector.zero(S);
        boolean relu = to.relu();
        int stride = op.strideW();
        // Columns ix, ix + 1 and ix + 2 of the window: p, q and r (rows 0, 1, 2).
        int ix = -op.padW();
        boolean inside = ix >= 0;
        int o = top + ix * channels;
        FloatVector p0 = inside ? FloatVector.fromArray(S, x, o) : zero;
        FloatVector p1 = inside ? FloatVector.fromArray(S, x, o + rs) : zero;
        FloatVector p2 = inside ? FloatVector.fromArray(S, x, o + 2 * rs) : zero;
        inside = ix + 1 >= 0 && ix + 1 < w;
        o += channels;
        FloatVector q0 = inside ? FloatVector.fromArray(S, x, o) : zero;
        FloatVector q1 = inside ? FloatVector.fromArray(S, x, o + rs) : zero;
        FloatVector q2 = inside ? FloatVector.fromArray(S, x, o + 2 * rs) : zero;
        for (int ox = 0; ox < ow; ox++, ix += stride) {
            if (stride == 2 && ox > 0) {
                inside = ix + 1 < w;
                o = top + (ix + 1) * channels;
                q0 = inside ? FloatVector.fromArray(S, x, o) : zero;
                q1 = inside ? FloatVector.fromArray(S, x, o + rs) : zero;
                q2 = inside ? FloatVector.fromArray(S, x, o + 2 * rs) : zero;
            }
            inside = ix + 2 < w;
            o = top + (ix + 2) * channels;
            FloatVector r0 = inside ? FloatVector.fromArray(S, x, o) : zero;
            FloatVector r1 = inside ? FloatVector.fromArray(S, x, o + rs) : zero;
            FloatVector r2 = inside ? FloatVector.fromArray(S, x, o + 2 * rs) : zero;
            FloatVector a = p0.fma(w00, b);
            a = q0.fma(w01, a);
            a = r0.fma(w02, a);
            a = p1.fma(w10, a);
            a = q1.fma(w11, a);
            a = r1.fma(w12, a);
            a = p2.fma(w20, a);
            a = q2.fma(w21, a);
            a = r2.fma(w22, a);
            int pixel = rowPixel + ox;
            if (residual != null) {
                a = a.add(FloatVector.fromArray(S, residual, pixel * channels + c));
            }
            if (relu) {
                a = a.blend(0f, a.compare(VectorOperators.LT, 0f));
            }
            a.intoArray(y, to.index(pixel, c));
            if (stride == 1) {
                p0 = q0;
                p1 = q1;
                p2 = q2;
                q0 = r0;
                q1 = r1;
                q2 = r2;
            } else {
                p0 = r0;
                p1 = r1;
                p2 = r2;
            }
        }
    }

    /**
     * Kernel row {@code ky} of a 5-wide window (stride 1 or 2, padding at most 2) over one output row and one
     * vector of channels: the first pass starts from the bias, the others add to what the output holds, the
     * last adds the residual and clamps. The row's five weight vectors stay in registers while the window
     * slides along the input row, each step loading only the columns it has not seen (one at stride 1, two
     * at 2); a column left or right of the map is zero. Five passes load and store each output vector five
     * times, but all of it from L1, where the four-pixel path loads a weight and an input for every FMA and
     * leaves edge pixels, all seven of a 7x7 map, to the masked one-pixel path.
     *
     * @param rowStart index in {@code x} of channel {@code c} of the input row's pixel 0
     * @param wOff     index in {@link #weight} of tap {@code (ky, 0)}, channel {@code c}
     */
    private void pass5(
            float[] x,
            int rowStart,
            int wOff,
            boolean first,
            boolean last,
            int c,
            float[] y,
            int rowPixel,
            float[] residual,
            ConvOutput to) {
        int w = in.width();
        int ow = out.width();
        FloatVector w0 = FloatVector.fromArray(S, weight, wOff);
        FloatVector w1 = FloatVector.fromArray(S, weight, wOff + padded);
        FloatVector w2 = FloatVector.fromArray(S, weight, wOff + 2 * padded);
        FloatVector w3 = FloatVector.fromArray(S, weight, wOff + 3 * padded);
        FloatVector w4 = FloatVector.fromArray(S, weight, wOff + 4 * padded);
        FloatVector b = FloatVector.fromArray(S, bias, c);
        FloatVector zero = FloatVector.zero(S);
        boolean relu = last && to.relu();
        boolean stride1 = op.strideW() == 1;
        // Columns ix .. ix + 4 of the window: c0 .. c4.
        int ix = -op.padW();
        FloatVector c0 = ix >= 0 ? FloatVector.fromArray(S, x, rowStart + ix * channels) : zero;
        FloatVector c1 = ix + 1 >= 0 && ix + 1 < w ? FloatVector.fromArray(S, x, rowStart + (ix + 1) * channels) : zero;
        FloatVector c2 = ix + 2 >= 0 && ix + 2 < w ? FloatVector.fromArray(S, x, rowStart + (ix + 2) * channels) : zero;
        FloatVector c3 = zero;
        if (stride1) {
            c3 = ix + 3 < w ? FloatVector.fromArray(S, x, rowStart + (ix + 3) * channels) : zero;
        }
        for (int ox = 0; ox < ow; ox++) {
            if (!stride1) {
                c3 = ix + 3 < w ? FloatVector.fromArray(S, x, rowStart + (ix + 3) * channels) : zero;
            }
            FloatVector c4 = ix + 4 < w ? FloatVector.fromArray(S, x, rowStart + (ix + 4) * channels) : zero;
            int pixel = rowPixel + ox;
            int out = to.index(pixel, c);
            FloatVector a = first ? b : FloatVector.fromArray(S, y, out);
            a = c0.fma(w0, a);
            a = c1.fma(w1, a);
            a = c2.fma(w2, a);
            a = c3.fma(w3, a);
            a = c4.fma(w4, a);
            if (last && residual != null) {
                a = a.add(FloatVector.fromArray(S, residual, pixel * channels + c));
            }
            if (relu) {
                a = a.blend(0f, a.compare(VectorOperators.LT, 0f));
            }
            a.intoArray(y, out);
            if (stride1) {
                c0 = c1;
                c1 = c2;
                c2 = c3;
                c3 = c4;
                ix++;
            } else {
                c0 = c2;
                c1 = c3;
                c2 = c4;
                ix += 2;
            }
        }
    }

    /**
     * Four horizontally adjacent pixels whose windows lie whole in the map, channels {@code [0, whole)}: one
     * call per group, so the index arithmetic is paid once for all its channel vectors.
     */
    private void interior4(
            float[] x,
            int inRow,
            int iy0,
            int kyFrom,
            int kyTo,
            int ox,
            int whole,
            float[] y,
            int pixel,
            float[] residual,
            ConvOutput to) {
        int kw = op.kernelW();
        int step = op.strideW() * channels;
        int tapStep = op.dilationW() * channels;
        int rowStep = op.dilationH() * in.width() * channels;
        int x0 = (inRow + (iy0 + kyFrom * op.dilationH()) * in.width() + ox * op.strideW() - op.padW()) * channels;
        int w0 = kyFrom * kw * padded;
        int y0 = to.index(pixel, 0);
        int ys = to.channels();
        boolean relu = to.relu();
        for (int c = 0; c < whole; c += V) {
            FloatVector a0 = FloatVector.fromArray(S, bias, c);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int xr = x0 + c;
            int wi = w0 + c;
            for (int ky = kyFrom; ky < kyTo; ky++, xr += rowStep) {
                int xi = xr;
                for (int kx = 0; kx < kw; kx++, xi += tapStep, wi += padded) {
                    FloatVector k = FloatVector.fromArray(S, weight, wi);
                    a0 = FloatVector.fromArray(S, x, xi).fma(k, a0);
                    a1 = FloatVector.fromArray(S, x, xi + step).fma(k, a1);
                    a2 = FloatVector.fromArray(S, x, xi + 2 * step).fma(k, a2);
                    a3 = FloatVector.fromArray(S, x, xi + 3 * step).fma(k, a3);
                }
            }
            if (residual != null) {
                int r = pixel * channels + c;
                a0 = a0.add(FloatVector.fromArray(S, residual, r));
                a1 = a1.add(FloatVector.fromArray(S, residual, r + channels));
                a2 = a2.add(FloatVector.fromArray(S, residual, r + 2 * channels));
                a3 = a3.add(FloatVector.fromArray(S, residual, r + 3 * channels));
            }
            if (relu) {
                a0 = a0.blend(0f, a0.compare(VectorOperators.LT, 0f));
                a1 = a1.blend(0f, a1.compare(VectorOperators.LT, 0f));
                a2 = a2.blend(0f, a2.compare(VectorOperators.LT, 0f));
                a3 = a3.blend(0f, a3.compare(VectorOperators.LT, 0f));
            }
            a0.intoArray(y, y0 + c);
            a1.intoArray(y, y0 + ys + c);
            a2.intoArray(y, y0 + 2 * ys + c);
            a3.intoArray(y, y0 + 3 * ys + c);
        }
    }

    /**
     * One pixel's channels from {@code c0} on (those that exist), skipping the taps that fall in the padding:
     * the edge columns and, after a group of four, a tail of channels short of a vector.
     */
    private void pixel(
            float[] x,
            int inRow,
            int iy0,
            int kyFrom,
            int kyTo,
            int ox,
            int c0,
            float[] y,
            int pixel,
            float[] residual,
            ConvOutput to) {
        int w = in.width();
        int kw = op.kernelW();
        int dw = op.dilationW();
        int ix0 = ox * op.strideW() - op.padW();
        int kxFrom = ix0 >= 0 ? 0 : (-ix0 + dw - 1) / dw;
        int kxTo = Math.min(kw, ix0 > w - 1 ? 0 : (w - 1 - ix0) / dw + 1);
        for (int c = c0; c < channels; c += V) {
            VectorMask<Float> m = S.indexInRange(c, channels);
            FloatVector a = FloatVector.fromArray(S, bias, c);
            for (int ky = kyFrom; ky < kyTo; ky++) {
                int rowStart = inRow + (iy0 + ky * op.dilationH()) * w;
                for (int kx = kxFrom; kx < kxTo; kx++) {
                    FloatVector k = FloatVector.fromArray(S, weight, (ky * kw + kx) * padded + c);
                    a = FloatVector.fromArray(S, x, (rowStart + ix0 + kx * dw) * channels + c, m)
                            .fma(k, a);
                }
            }
            if (residual != null) {
                a = a.add(FloatVector.fromArray(S, residual, pixel * channels + c, m));
            }
            if (to.relu()) {
                a = a.blend(0f, a.compare(VectorOperators.LT, 0f));
            }
            a.intoArray(y, to.index(pixel, c), m);
        }
    }
}
