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
        if (bias != null) {
            System.arraycopy(bias, 0, this.bias, 0, channels);
        }
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
        team.parallelFor(batch * oh, task -> row(x, task / oh, task % oh, y, residual, to));
    }

    /** Output row {@code oy} of image {@code b}, all channels. */
    private void row(float[] x, int b, int oy, float[] y, float[] residual, ConvOutput to) {
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
        ActivationFunction f = to.activation();
        if (f != null) {
            // A pass over the row just written, still in L1: applied per vector inside the loops, the
            // activation's code kept the accumulators from staying in registers.
            if (to.channel() == 0 && to.channels() == channels) {
                ActivationVectors.apply(f, y, rowPixel * channels, (rowPixel + ow) * channels, y);
            } else {
                for (int p = rowPixel; p < rowPixel + ow; p++) {
                    ActivationVectors.apply(f, y, to.index(p, 0), to.index(p, channels), y);
                }
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
                a0 = a0.lanewise(VectorOperators.MAX, 0f);
                a1 = a1.lanewise(VectorOperators.MAX, 0f);
                a2 = a2.lanewise(VectorOperators.MAX, 0f);
                a3 = a3.lanewise(VectorOperators.MAX, 0f);
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
                a = a.lanewise(VectorOperators.MAX, 0f);
            }
            a.intoArray(y, to.index(pixel, c), m);
        }
    }
}
