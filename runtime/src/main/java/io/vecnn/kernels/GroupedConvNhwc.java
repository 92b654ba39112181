package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Op;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * A grouped convolution with more than one channel per group (ResNeXt's and RegNet's 3x3 with groups of 4 to
 * a few hundred channels), vectorised along the output channels that NHWC keeps contiguous. A GEMM per group
 * would multiply matrices a handful of channels wide, far below a microkernel's width; here each vector of
 * output channels sums its own group's inputs directly, whatever groups its lanes fall in.
 *
 * <p>Two ways to feed a vector its inputs. When a group is narrower than a vector and divides it, and has as
 * many inputs as outputs, the vector's inputs are the same channels as its outputs: one load per pixel and
 * tap, then for input {@code j} of each group a lane permutation hands every lane its group's {@code j}-th
 * value ({@code permutations}). Otherwise the vector reads the band of input channels its lanes' groups cover
 * and broadcasts each, with zero weights where an input is not in a lane's group: exact work when groups are
 * whole vectors wide, some multiplications by zero when a vector straddles two groups.
 *
 * <p>Like {@link DepthwiseConvNhwc}, interior pixels go four at a time so each weight vector loaded serves four
 * FMAs, and edge pixels skip the taps in the padding.
 */
public final class GroupedConvNhwc implements ConvKernel {
    private static final VectorSpecies<Float> S = VectorIsa.SPECIES;
    private static final int V = VectorIsa.LANES;
    private static final int PIXELS = 4;

    private final Op.Conv2d op;
    private final Shape in;
    private final Shape out;
    private final int inChannels;
    private final int outChannels;
    private final int groupIn;
    private final int groupOut;
    private final int taps;
    private final int chunks;
    /** First input channel of each output vector's band, and how many it spans. */
    private final int[] bandStart;

    private final int[] bandWidth;
    /** Where each output vector's weights start in {@link #weight}: {@code [tap][band input][lane]}. */
    private final int[] weightStart;

    private final float[] weight;
    /** Per output channel, rounded up to whole vectors; zeros without a bias. */
    private final float[] bias;

    private final boolean hasBias;
    /** For the permutation path, the shuffle giving each lane input {@code j} of its group; null otherwise. */
    private final VectorShuffle<Float>[] permutations;

    /**
     * @param weight OHWI weights, {@code [out][kh][kw][in/groups]}
     * @param bias   per output channel, or null
     */
    @SuppressWarnings("unchecked")
    public GroupedConvNhwc(Op.Conv2d op, float[] weight, float[] bias, Shape in, Shape out) {
        if (!applies(op, in)) {
            throw new IllegalArgumentException("not a grouped convolution with several channels a group: " + op);
        }
        this.op = op;
        this.in = in;
        this.out = out;
        this.inChannels = in.channels();
        this.outChannels = op.outChannels();
        this.groupIn = inChannels / op.groups();
        this.groupOut = outChannels / op.groups();
        this.taps = op.kernelH() * op.kernelW();
        this.chunks = (outChannels + V - 1) / V;
        boolean permute = groupIn == groupOut && V % groupOut == 0;
        this.permutations = permute ? new VectorShuffle[groupIn] : null;
        if (permute) {
            for (int j = 0; j < groupIn; j++) {
                int input = j;
                permutations[j] = VectorShuffle.fromOp(S, lane -> lane - lane % groupOut + input);
            }
        }
        this.bandStart = new int[chunks];
        this.bandWidth = new int[chunks];
        this.weightStart = new int[chunks + 1];
        for (int k = 0; k < chunks; k++) {
            int first = k * V;
            int last = Math.min(first + V, outChannels) - 1;
            bandStart[k] = permute ? first : first / groupOut * groupIn;
            bandWidth[k] = permute ? groupIn : (last / groupOut + 1) * groupIn - bandStart[k];
            weightStart[k + 1] = weightStart[k] + taps * bandWidth[k] * V;
        }
        this.weight = new float[weightStart[chunks]];
        for (int o = 0; o < outChannels; o++) {
            int k = o / V;
            int lane = o % V;
            int groupFirst = o / groupOut * groupIn;
            for (int t = 0; t < taps; t++) {
                for (int j = 0; j < groupIn; j++) {
                    int i = permute ? j : groupFirst + j - bandStart[k];
                    this.weight[weightStart[k] + (t * bandWidth[k] + i) * V + lane] =
                            weight[(o * taps + t) * groupIn + j];
                }
            }
        }
        this.bias = new float[chunks * V];
        this.hasBias = bias != null;
        if (bias != null) {
            System.arraycopy(bias, 0, this.bias, 0, outChannels);
        }
    }

    /** Groups of more than one channel (depthwise convolutions have their own kernel), several groups. */
    public static boolean applies(Op.Conv2d op, Shape in) {
        return op.groups() > 1 && !DepthwiseConvNhwc.applies(op, in);
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public String algorithm() {
        return "grouped";
    }

    @Override
    public float[] ohwiWeight() {
        float[] w = new float[outChannels * taps * groupIn];
        for (int o = 0; o < outChannels; o++) {
            int k = o / V;
            int groupFirst = o / groupOut * groupIn;
            for (int t = 0; t < taps; t++) {
                for (int j = 0; j < groupIn; j++) {
                    int i = permutations != null ? j : groupFirst + j - bandStart[k];
                    w[(o * taps + t) * groupIn + j] = weight[weightStart[k] + (t * bandWidth[k] + i) * V + o % V];
                }
            }
        }
        return w;
    }

    @Override
    public float[] bias() {
        return hasBias ? Arrays.copyOf(bias, outChannels) : null;
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
        for (int k = 0; k < chunks; k++) {
            VectorMask<Float> m = S.indexInRange(k * V, outChannels);
            int ox = 0;
            for (; ox < oxFrom; ox++) {
                pixel(x, inRow, iy0, kyFrom, kyTo, ox, k, m, y, rowPixel + ox, residual, to);
            }
            for (; ox + PIXELS <= oxTo; ox += PIXELS) {
                interior4(x, inRow, iy0, kyFrom, kyTo, ox, k, m, y, rowPixel + ox, residual, to);
            }
            for (; ox < ow; ox++) {
                pixel(x, inRow, iy0, kyFrom, kyTo, ox, k, m, y, rowPixel + ox, residual, to);
            }
        }
        ActivationFunction f = to.activation();
        if (f != null) {
            for (int p = rowPixel; p < rowPixel + ow; p++) {
                ActivationVectors.apply(f, y, to.index(p, 0), to.index(p, outChannels), y);
            }
        }
    }

    /**
     * Four horizontally adjacent pixels whose windows lie whole in the map, output vector {@code k}. The two ways
     * of feeding inputs are separate methods: one method holding both was too large for C1's register allocator
     * at the AVX2 width, and a method stuck in C1 runs the Vector API dozens of times slower.
     */
    private void interior4(
            float[] x,
            int inRow,
            int iy0,
            int kyFrom,
            int kyTo,
            int ox,
            int k,
            VectorMask<Float> m,
            float[] y,
            int pixel,
            float[] residual,
            ConvOutput to) {
        int x0 = (inRow + (iy0 + kyFrom * op.dilationH()) * in.width() + ox * op.strideW() - op.padW()) * inChannels
                + bandStart[k];
        int w0 = weightStart[k] + kyFrom * op.kernelW() * bandWidth[k] * V;
        if (permutations != null) {
            permuted4(x, x0, kyTo - kyFrom, k, w0, m, y, pixel, residual, to);
        } else {
            band4(x, x0, kyTo - kyFrom, k, w0, m, y, pixel, residual, to);
        }
    }

    /** The permutation path for four pixels from input offset {@code x0} and weight offset {@code w0}. */
    private void permuted4(
            float[] x,
            int x0,
            int rows,
            int k,
            int w0,
            VectorMask<Float> m,
            float[] y,
            int pixel,
            float[] residual,
            ConvOutput to) {
        int kw = op.kernelW();
        int band = bandWidth[k];
        int step = op.strideW() * inChannels;
        int tapStep = op.dilationW() * inChannels;
        int rowStep = op.dilationH() * in.width() * inChannels;
        VectorMask<Float> inputs = S.indexInRange(bandStart[k], inChannels);
        FloatVector a0 = FloatVector.fromArray(S, bias, k * V);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int wi = w0;
        for (int ky = 0; ky < rows; ky++, x0 += rowStep) {
            int xi = x0;
            for (int kx = 0; kx < kw; kx++, xi += tapStep) {
                FloatVector x0v = FloatVector.fromArray(S, x, xi, inputs);
                FloatVector x1v = FloatVector.fromArray(S, x, xi + step, inputs);
                FloatVector x2v = FloatVector.fromArray(S, x, xi + 2 * step, inputs);
                FloatVector x3v = FloatVector.fromArray(S, x, xi + 3 * step, inputs);
                for (int j = 0; j < band; j++, wi += V) {
                    FloatVector wv = FloatVector.fromArray(S, weight, wi);
                    VectorShuffle<Float> p = permutations[j];
                    a0 = x0v.rearrange(p).fma(wv, a0);
                    a1 = x1v.rearrange(p).fma(wv, a1);
                    a2 = x2v.rearrange(p).fma(wv, a2);
                    a3 = x3v.rearrange(p).fma(wv, a3);
                }
            }
        }
        store(a0, m, y, pixel, residual, to, k);
        store(a1, m, y, pixel + 1, residual, to, k);
        store(a2, m, y, pixel + 2, residual, to, k);
        store(a3, m, y, pixel + 3, residual, to, k);
    }

    /** The band path for four pixels from input offset {@code x0} and weight offset {@code w0}. */
    private void band4(
            float[] x,
            int x0,
            int rows,
            int k,
            int w0,
            VectorMask<Float> m,
            float[] y,
            int pixel,
            float[] residual,
            ConvOutput to) {
        int kw = op.kernelW();
        int band = bandWidth[k];
        int step = op.strideW() * inChannels;
        int tapStep = op.dilationW() * inChannels;
        int rowStep = op.dilationH() * in.width() * inChannels;
        FloatVector a0 = FloatVector.fromArray(S, bias, k * V);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int wi = w0;
        for (int ky = 0; ky < rows; ky++, x0 += rowStep) {
            int xi = x0;
            for (int kx = 0; kx < kw; kx++, xi += tapStep) {
                for (int i = 0; i < band; i++, wi += V) {
                    FloatVector wv = FloatVector.fromArray(S, weight, wi);
                    a0 = FloatVector.broadcast(S, x[xi + i]).fma(wv, a0);
                    a1 = FloatVector.broadcast(S, x[xi + step + i]).fma(wv, a1);
                    a2 = FloatVector.broadcast(S, x[xi + 2 * step + i]).fma(wv, a2);
                    a3 = FloatVector.broadcast(S, x[xi + 3 * step + i]).fma(wv, a3);
                }
            }
        }
        store(a0, m, y, pixel, residual, to, k);
        store(a1, m, y, pixel + 1, residual, to, k);
        store(a2, m, y, pixel + 2, residual, to, k);
        store(a3, m, y, pixel + 3, residual, to, k);
    }

    /** One pixel, output vector {@code k}, skipping the taps that fall in the padding. */
    private void pixel(
            float[] x,
            int inRow,
            int iy0,
            int kyFrom,
            int kyTo,
            int ox,
            int k,
            VectorMask<Float> m,
            float[] y,
            int pixel,
            float[] residual,
            ConvOutput to) {
        int w = in.width();
        int kw = op.kernelW();
        int dw = op.dilationW();
        int band = bandWidth[k];
        int ix0 = ox * op.strideW() - op.padW();
        int kxFrom = ix0 >= 0 ? 0 : (-ix0 + dw - 1) / dw;
        int kxTo = Math.min(kw, ix0 > w - 1 ? 0 : (w - 1 - ix0) / dw + 1);
        FloatVector a = FloatVector.fromArray(S, bias, k * V);
        for (int ky = kyFrom; ky < kyTo; ky++) {
            int rowStart = inRow + (iy0 + ky * op.dilationH()) * w;
            for (int kx = kxFrom; kx < kxTo; kx++) {
                int xi = (rowStart + ix0 + kx * dw) * inChannels + bandStart[k];
                int wi = weightStart[k] + (ky * kw + kx) * band * V;
                if (permutations != null) {
                    FloatVector xv = FloatVector.fromArray(S, x, xi, S.indexInRange(bandStart[k], inChannels));
                    for (int j = 0; j < band; j++, wi += V) {
                        a = xv.rearrange(permutations[j]).fma(FloatVector.fromArray(S, weight, wi), a);
                    }
                } else {
                    for (int i = 0; i < band; i++, wi += V) {
                        a = FloatVector.broadcast(S, x[xi + i]).fma(FloatVector.fromArray(S, weight, wi), a);
                    }
                }
            }
        }
        store(a, m, y, pixel, residual, to, k);
    }

    /**
     * Adds the residual, applies the ReLU and writes output vector {@code k} of one pixel. Only a channel tail
     * is masked: as an AVX2 JVM a masked store is emulated (VMASKMOVPS), slow on AMD cores.
     */
    private void store(
            FloatVector a, VectorMask<Float> m, float[] y, int pixel, float[] residual, ConvOutput to, int k) {
        int c = k * V;
        boolean whole = c + V <= outChannels;
        if (residual != null) {
            int r = pixel * outChannels + c;
            a = a.add(whole ? FloatVector.fromArray(S, residual, r) : FloatVector.fromArray(S, residual, r, m));
        }
        if (to.relu()) {
            a = a.blend(0f, a.compare(VectorOperators.LT, 0f));
        }
        if (whole) {
            a.intoArray(y, to.index(pixel, c));
        } else {
            a.intoArray(y, to.index(pixel, c), m);
        }
    }
}
