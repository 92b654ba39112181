package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Op;

import java.util.Arrays;

/**
 * A convolution with few input channels (the RGB stems: ResNet's and GoogLeNet's 7x7 stride 2, AlexNet's
 * 11x11 stride 4) as a GEMM whose rows of A are read in place from a zero-padded copy of the input. With 3
 * channels a kernel row of taps is only 21 floats, and gathering them into im2col rows cost as much as the
 * multiplication. Padding the input once (3x230x230 floats,
 * 0.6 MB, for the 7x7 stem) gives every window a place where it lies whole, edges included, so the
 * microkernel reads each kernel row of each pixel's window directly. Its panel is the narrowest of 1, 2
 * or 4 vectors that holds all output channels ({@link #panelWidthFor}), so a stem with few channels
 * (LeNet-5's 6) does not multiply mostly zero columns; 4-vector panels only with 32 vector registers
 * (6 × 4 accumulators spill in 16).
 */
public final class Conv2dImplicitGemm implements ConvKernel {
    /** Up to this many input channels the gathering dominates: the RGB and greyscale stems. */
    public static final int MAX_INPUT_CHANNELS = 4;
    /** Output pixels per task: 8 groups of the microkernel's 6 rows, tens of microseconds of work each. */
    private static final int PIXELS_PER_TASK = 48;

    private static final int MR = ImplicitConvMicroKernel6x4v.MR;
    private static final int V = VectorIsa.LANES;
    /**
     * A group of pixels shorter than 6, or a panel short of its width, is computed into this tile (missing
     * rows repeat the last pixel, missing columns have zero weights) and only its valid part is stored.
     */
    private static final ThreadLocal<float[]> TILE =
            ThreadLocal.withInitial(() -> new float[MR * ImplicitConvMicroKernel6x4v.NR]);

    private static final ThreadLocal<int[]> STARTS = ThreadLocal.withInitial(() -> new int[MR]);

    private final Op.Conv2d op;
    private final Shape in;
    private final Shape out;
    private final PackedMatrix packed;
    /** Output channels per microkernel call: 1, 2 or 4 vectors. */
    private final int nr;

    private final float[] bias;
    /** The bias, zeros without one, padded to whole panels: every call's sums start from it. */
    private final float[] initialSums;

    private final int paddedH;
    private final int paddedW;
    /** Each tap's (ky, kx, c) offset from the start of its window in the padded input. */
    private final int[] kOffset;
    /**
     * Where each output pixel's window starts in an image's padded input: a table rather than a division and
     * a remainder per pixel, which cost as much as the products of a 27-deep stem (3x3 over 3 channels).
     */
    private final int[] windowStart;

    /**
     * @param weight OHWI weights, {@code [out][kh][kw][in]}
     * @param bias   per output channel, or null
     */
    public Conv2dImplicitGemm(Op.Conv2d op, float[] weight, float[] bias, Shape in, Shape out) {
        if (!applies(op, in)) {
            throw new IllegalArgumentException("implicit GEMM needs one group, no dilation, at most "
                    + MAX_INPUT_CHANNELS + " input channels and a kernel larger than 1x1; got " + op + " on " + in);
        }
        this.op = op;
        this.in = in;
        this.out = out;
        this.nr = panelWidthFor(op.outChannels());
        this.packed = PackedMatrix.pack(weight, 0, op.outChannels(), op.kernelH() * op.kernelW() * in.channels(), nr);
        this.bias = bias == null ? null : bias.clone();
        this.initialSums = new float[packed.panels() * nr];
        if (bias != null) {
            System.arraycopy(bias, 0, initialSums, 0, bias.length);
        }
        this.paddedH = in.height() + 2 * op.padH();
        this.paddedW = in.width() + 2 * op.padW();
        int cin = in.channels();
        this.windowStart = new int[out.height() * out.width()];
        for (int oy = 0, p = 0; oy < out.height(); oy++) {
            for (int ox = 0; ox < out.width(); ox++, p++) {
                windowStart[p] = (oy * op.strideH() * paddedW + ox * op.strideW()) * cin;
            }
        }
        this.kOffset = new int[packed.k()];
        for (int ky = 0, t = 0; ky < op.kernelH(); ky++) {
            for (int j = 0; j < op.kernelW() * cin; j++, t++) {
                kOffset[t] = ky * paddedW * cin + j;
            }
        }
    }

    /** Whether this kernel handles the convolution: one group, no dilation, few input channels, not 1x1. */
    public static boolean applies(Op.Conv2d op, Shape in) {
        return op.groups() == 1
                && op.dilationH() == 1
                && op.dilationW() == 1
                && in.channels() <= MAX_INPUT_CHANNELS
                && op.kernelH() * op.kernelW() > 1;
    }

    /**
     * The narrowest panel of 1, 2 or (with 32 registers) 4 vectors that holds {@code outChannels}, else the
     * widest, so only layers wider than the widest panel compute padding columns, in their last panel.
     * Inception v3's 32-channel stem on 512-bit vectors takes 2-vector panels, where a 4-vector one would
     * compute 32 zero columns per pixel.
     */
    public static int panelWidthFor(int outChannels) {
        int widest = VectorIsa.wideRegisterFile() ? 4 : 2;
        for (int vectors = 1; vectors < widest; vectors *= 2) {
            if (outChannels <= vectors * V) {
                return vectors * V;
            }
        }
        return widest * V;
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public String algorithm() {
        return "implicit gemm";
    }

    @Override
    public float[] ohwiWeight() {
        float[] w = new float[op.outChannels() * packed.k()];
        packed.unpackInto(w, 0);
        return w;
    }

    @Override
    public float[] bias() {
        return bias == null ? null : bias.clone();
    }

    /** The zero-padded input batch. */
    @Override
    public int scratchFloats(int batch) {
        return batch * paddedH * paddedW * in.channels();
    }

    @Override
    public void run(float[] x, int batch, float[] y, float[] residual, ConvOutput to, Team team, float[] scratch) {
        int cin = in.channels();
        int plane = paddedH * paddedW * cin;
        team.parallelFor(batch * paddedH, row -> padRow(x, row / paddedH, row % paddedH, scratch));
        int pixels = out.height() * out.width();
        int tasks = (pixels + PIXELS_PER_TASK - 1) / PIXELS_PER_TASK;
        // The bias is in the sums; the activation runs once a group of rows has all its panels (see Gemm).
        Epilogue epilogue = new Epilogue(null, residual, out.channels(), to.relu());
        // A whole tile takes its ReLU in the microkernel's registers; only a residual needs the epilogue's pass.
        boolean fuseRelu = residual == null && to.relu();
        ActivationFunction f = to.activation();
        int outChannels = op.outChannels();
        team.parallelFor(batch * tasks, task -> {
            int b = task / tasks;
            int p0 = (task % tasks) * PIXELS_PER_TASK;
            int p1 = Math.min(pixels, p0 + PIXELS_PER_TASK);
            int[] starts = STARTS.get();
            float[] tile = TILE.get();
            for (int r = p0; r < p1; r += MR) {
                int rows = Math.min(MR, p1 - r);
                for (int i = 0; i < MR; i++) {
                    starts[i] = b * plane + windowStart[r + Math.min(i, rows - 1)];
                }
                int outPixel = b * pixels + r;
                for (int panel = 0; panel < packed.panels(); panel++) {
                    int col0 = panel * nr;
                    int dst = to.index(outPixel, col0);
                    int rOff = outPixel * out.channels() + col0;
                    int columns = Math.min(nr, outChannels - col0);
                    boolean whole = rows == MR && columns == nr;
                    float[] d = whole ? y : tile;
                    int dOff = whole ? dst : 0;
                    int ldd = whole ? to.channels() : nr;
                    multiply(scratch, starts, packed.panelOffset(panel), col0, d, dOff, ldd, whole && fuseRelu);
                    if (!whole || residual != null) {
                        EpilogueKernel.apply(
                                d, dOff, ldd, rows, columns, y, dst, to.channels(), col0, rOff, epilogue, true, true);
                    }
                }
                if (f != null) {
                    ActivationVectors.applyToRows(f, y, to.index(outPixel, 0), to.channels(), rows, 0, outChannels);
                }
            }
        });
    }

    /** The microkernel for this panel width: MR pixels' windows times one panel, from the bias, into d. */
    private void multiply(
            float[] padded, int[] starts, int bOff, int col0, float[] d, int dOff, int ldd, boolean relu) {
        int k = packed.k();
        float[] b = packed.data();
        if (nr == 4 * V) {
            ImplicitConvMicroKernel6x4v.run(padded, starts, kOffset, k, b, bOff, initialSums, col0, d, dOff, ldd, relu);
        } else if (nr == 2 * V) {
            ImplicitConvMicroKernel6x2v.run(padded, starts, kOffset, k, b, bOff, initialSums, col0, d, dOff, ldd, relu);
        } else {
            ImplicitConvMicroKernel6x1v.run(padded, starts, kOffset, k, b, bOff, initialSums, col0, d, dOff, ldd, relu);
        }
    }

    /** Row {@code py} of image {@code b}'s padded copy: zeros, then the input row, then zeros. */
    private void padRow(float[] x, int b, int py, float[] padded) {
        int cin = in.channels();
        int dst = ((b * paddedH) + py) * paddedW * cin;
        int iy = py - op.padH();
        if (iy < 0 || iy >= in.height()) {
            Arrays.fill(padded, dst, dst + paddedW * cin, 0f);
            return;
        }
        int left = op.padW() * cin;
        int width = in.width() * cin;
        Arrays.fill(padded, dst, dst + left, 0f);
        System.arraycopy(x, (b * in.height() + iy) * width, padded, dst + left, width);
        Arrays.fill(padded, dst + left + width, dst + paddedW * cin, 0f);
    }
}
