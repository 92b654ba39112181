package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Op;

import java.util.Arrays;

/**
 * A stem with few input and fewer output channels than a vector holds (LeNet-5's 3 → 6, 5x5 on 32x32), with
 * vector lanes along the output row instead of across output channels. Lanes over 6 channels would leave 10 of
 * 16 empty at 512 bits and every tap would load 6 broadcasts for 6 multiplications; over pixels, each tap loads
 * 2 vectors of input and 6 weights for 12 full multiplications ({@link RowConvMicroKernel6x2v}).
 *
 * <p>The input is first copied into scratch channel by channel (planar), zero-padded, each row long enough that
 * every window of a vector of pixels lies whole in it, so the microkernel loads unmasked. The sums come out
 * channel-major and are written to the NHWC output transposed, with the epilogue; a layer's output of a few
 * channels is small, so this costs little next to the multiplications.
 */
public final class Conv2dRowVectors implements ConvKernel {
    private static final int CB = RowConvMicroKernel6x2v.CHANNELS;
    private static final int PIXELS = RowConvMicroKernel6x2v.PIXELS;

    /** One call's sums, channel-major. */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[CB * PIXELS]);

    private final Op.Conv2d op;
    private final Shape in;
    private final Shape out;
    /** Per block of 6 output channels, per tap (c, ky, kx), the 6 weights; zeros past the last channel. */
    private final float[] packed;

    private final float[] bias;
    /** The bias, zeros without one, padded to whole blocks. */
    private final float[] initialSums;

    private final int taps;
    private final int blocks;
    /** Vectors of pixels per output row, in calls of 2 vectors. */
    private final int strips;

    private final int paddedH;
    /** Floats per padded row: the input row, its padding, and room for the last call's unused lanes. */
    private final int rowStride;
    /** Each tap's offset from its window's start in an image's planar copy. */
    private final int[] tapOffset;

    /**
     * @param weight OHWI weights, {@code [out][kh][kw][in]}
     * @param bias   per output channel, or null
     */
    public Conv2dRowVectors(Op.Conv2d op, float[] weight, float[] bias, Shape in, Shape out) {
        if (!applies(op, in)) {
            throw new IllegalArgumentException("row-vector convolution needs one group, no dilation, stride 1 along"
                    + " rows, at most " + Conv2dImplicitGemm.MAX_INPUT_CHANNELS + " input channels and fewer output"
                    + " channels than the " + VectorIsa.LANES + " lanes of a vector; got " + op + " on " + in);
        }
        this.op = op;
        this.in = in;
        this.out = out;
        int cin = in.channels();
        int kh = op.kernelH();
        int kw = op.kernelW();
        this.taps = cin * kh * kw;
        this.blocks = (op.outChannels() + CB - 1) / CB;
        this.strips = (out.width() + PIXELS - 1) / PIXELS;
        this.paddedH = in.height() + 2 * op.padH();
        this.rowStride = Math.max(in.width() + 2 * op.padW(), strips * PIXELS + kw - 1);
        this.tapOffset = new int[taps];
        this.packed = new float[blocks * taps * CB];
        for (int c = 0, t = 0; c < cin; c++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++, t++) {
                    tapOffset[t] = (c * paddedH + ky) * rowStride + kx;
                    for (int o = 0; o < op.outChannels(); o++) {
                        packed[((o / CB) * taps + t) * CB + o % CB] = weight[((o * kh + ky) * kw + kx) * cin + c];
                    }
                }
            }
        }
        this.bias = bias == null ? null : bias.clone();
        this.initialSums = new float[blocks * CB];
        if (bias != null) {
            System.arraycopy(bias, 0, initialSums, 0, bias.length);
        }
    }

    /**
     * Whether this kernel handles the convolution: one group, no dilation, stride 1 along rows, a stem's few input
     * channels, fewer output channels than a vector's lanes, and output rows at least a vector long.
     */
    public static boolean applies(Op.Conv2d op, Shape in) {
        int outWidth = (in.width() + 2 * op.padW() - op.kernelW()) / op.strideW() + 1;
        return op.groups() == 1
                && op.dilationH() == 1
                && op.dilationW() == 1
                && op.strideW() == 1
                && in.channels() <= Conv2dImplicitGemm.MAX_INPUT_CHANNELS
                && op.outChannels() < VectorIsa.LANES
                && outWidth >= VectorIsa.LANES;
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public String algorithm() {
        return "row vectors";
    }

    @Override
    public float[] ohwiWeight() {
        int cin = in.channels();
        int kh = op.kernelH();
        int kw = op.kernelW();
        float[] w = new float[op.outChannels() * taps];
        for (int o = 0; o < op.outChannels(); o++) {
            for (int c = 0, t = 0; c < cin; c++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++, t++) {
                        w[((o * kh + ky) * kw + kx) * cin + c] = packed[((o / CB) * taps + t) * CB + o % CB];
                    }
                }
            }
        }
        return w;
    }

    @Override
    public float[] bias() {
        return bias == null ? null : bias.clone();
    }

    /** The padded planar input batch. */
    @Override
    public int scratchFloats(int batch) {
        return batch * in.channels() * paddedH * rowStride;
    }

    @Override
    public void run(float[] x, int batch, float[] y, float[] residual, ConvOutput to, Team team, float[] scratch) {
        int cin = in.channels();
        team.parallelFor(
                batch * cin * paddedH, row -> copyRow(x, row / (cin * paddedH), row % (cin * paddedH), scratch));
        int imagePlanes = cin * paddedH * rowStride;
        ActivationFunction f = to.activation();
        team.parallelFor(batch * out.height(), task -> {
            int b = task / out.height();
            int oy = task % out.height();
            int firstPixel = (b * out.height() + oy) * out.width();
            int window = b * imagePlanes + oy * op.strideH() * rowStride;
            float[] tile = TILE.get();
            for (int s = 0; s < strips; s++) {
                int x0 = s * PIXELS;
                int pixels = Math.min(PIXELS, out.width() - x0);
                for (int block = 0; block < blocks; block++) {
                    RowConvMicroKernel6x2v.run(
                            scratch,
                            window + x0,
                            tapOffset,
                            taps,
                            packed,
                            block * taps * CB,
                            initialSums,
                            block * CB,
                            tile);
                    store(tile, firstPixel + x0, pixels, block * CB, y, residual, to);
                }
            }
            if (f != null) {
                ActivationVectors.applyToRows(
                        f, y, to.index(firstPixel, 0), to.channels(), out.width(), 0, op.outChannels());
            }
        });
    }

    /** Writes a call's sums for {@code pixels} pixels from {@code pixel}, channels from {@code o0}, with the epilogue. */
    private void store(float[] tile, int pixel, int pixels, int o0, float[] y, float[] residual, ConvOutput to) {
        int channels = Math.min(CB, op.outChannels() - o0);
        int outChannels = op.outChannels();
        boolean relu = to.relu();
        for (int p = 0; p < pixels; p++) {
            int dst = to.index(pixel + p, o0);
            int res = (pixel + p) * outChannels + o0;
            for (int j = 0; j < channels; j++) {
                float v = tile[j * PIXELS + p];
                if (residual != null) {
                    v += residual[res + j];
                }
                y[dst + j] = relu ? Math.max(v, 0f) : v;
            }
        }
    }

    /** Row {@code row} (channel-major, then padded row) of image {@code b}'s planar copy: zeros around the input. */
    private void copyRow(float[] x, int b, int row, float[] planar) {
        int cin = in.channels();
        int c = row / paddedH;
        int iy = row % paddedH - op.padH();
        int dst = (b * cin * paddedH + row) * rowStride;
        Arrays.fill(planar, dst, dst + rowStride, 0f);
        if (iy < 0 || iy >= in.height()) {
            return;
        }
        int src = ((b * in.height() + iy) * in.width()) * cin + c;
        int at = dst + op.padW();
        for (int ix = 0; ix < in.width(); ix++, src += cin) {
            planar[at + ix] = x[src];
        }
    }
}
