package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.Op;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * A convolution on NHWC maps as a GEMM: output pixels are rows, output channels are columns, and the K
 * axis runs over (ky, kx, input channel) — the order of the OHWI weight, which is packed once into panels.
 * A 1x1 stride-1 unpadded convolution reads its input in place (a pixel's channels are already a row of
 * A); any other gathers its rows (im2col) block by block into per-thread scratch, so the full im2col
 * matrix never exists.
 */
public final class Conv2dGemm implements ConvKernel {
    /** Rows per task: a multiple of the microkernels' 6 and 8 rows, small enough that A's block (48 × K) stays in L2. */
    private static final int ROWS_PER_TASK = 48;
    /** Panels per task, so a batch-1 layer with few pixels but many channels still splits across cores. */
    private static final int PANELS_PER_TASK = 4;
    /** Fewer rows than this per task and the microkernels' row blocks get too few to hide loading B's panel. */
    private static final int MIN_ROWS_PER_TASK = 24;
    /**
     * Largest gathered map kept whole (4 MB): every 3x3 layer at 28x28 and below. Larger maps are gathered
     * block by block into per-thread scratch, where their many row blocks already give every thread work.
     */
    private static final int WHOLE_MAP_MAX_FLOATS = 1 << 20;
    /** Rows gathered per task when gathering a whole map. */
    private static final int GATHER_ROWS = 8;
    /** Output channels per output pixel of an image above which B's traffic decides the split. */
    private static final int WEIGHT_DOMINANCE = 4;
    /** Weights above which the task order is panel blocks first: half of a 1 MB L2. */
    private static final long PANELS_OUTER_MIN_WEIGHT_BYTES = 512 * 1024;
    /** Enough tasks per worker that uneven tasks and a late-starting helper still leave no core idle. */
    private static final int TASKS_PER_WORKER = 6;
    /**
     * Row blocks per worker from which a gathered layer is split by rows alone: each task then gathers its
     * rows into its own scratch, in its core's L2 just before the GEMM reads them, and runs every panel on
     * them, instead of a whole-map gather (1.5 MB for Inception v3's 1x7 at 17x17, more than L2) read back
     * once per block of panels, or of rows gathered again for each block of panels (3 times for AlexNet's
     * 5x5 layer with 16-column panels). On one thread with a 1 MB L2 the whole-map gather measured as fast;
     * with 512 KB (Zen 3) the gathered map and a block of panels no longer fit beside each other.
     */
    private static final int ROW_BLOCKS_PER_WORKER = 3;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = S.length();
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private final Op.Conv2d op;
    private final Shape in;
    private final Shape out;
    private final PackedMatrix[] groups;
    private final float[][] groupBias;
    private final boolean direct;
    private final int groupIn;
    private final int groupOut;
    private final int k;

    /**
     * @param weight OHWI weights, {@code [out][kh][kw][in/groups]}
     * @param bias   per output channel, or null
     */
    public Conv2dGemm(Op.Conv2d op, float[] weight, float[] bias, Shape in, Shape out) {
        this.op = op;
        this.in = in;
        this.out = out;
        this.groupIn = in.channels() / op.groups();
        this.groupOut = op.outChannels() / op.groups();
        this.k = op.kernelH() * op.kernelW() * groupIn;
        this.groups = new PackedMatrix[op.groups()];
        this.groupBias = new float[op.groups()][];
        for (int g = 0; g < op.groups(); g++) {
            groups[g] = PackedMatrix.pack(weight, g * groupOut * k, groupOut, k, Gemm.panelWidthFor(groupOut));
            groupBias[g] = bias == null ? null : java.util.Arrays.copyOfRange(bias, g * groupOut, (g + 1) * groupOut);
        }
        this.direct = op.groups() == 1
                && op.kernelH() == 1
                && op.kernelW() == 1
                && op.strideH() == 1
                && op.strideW() == 1
                && op.padH() == 0
                && op.padW() == 0;
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public float[] ohwiWeight() {
        float[] w = new float[op.outChannels() * k];
        for (int g = 0; g < groups.length; g++) {
            groups[g].unpackInto(w, g * groupOut * k);
        }
        return w;
    }

    @Override
    public float[] bias() {
        if (groupBias[0] == null) {
            return null;
        }
        float[] b = new float[op.outChannels()];
        for (int g = 0; g < groups.length; g++) {
            System.arraycopy(groupBias[g], 0, b, g * groupOut, groupOut);
        }
        return b;
    }

    /**
     * Small maps are gathered once, whole, into the run's scratch: their few rows would otherwise be split
     * into tasks by panels, and each task gathers its rows again (4 times over for a 7x7 layer).
     */
    private boolean gathersWholeMap(int batch) {
        return !direct && op.groups() == 1 && (long) batch * out.height() * out.width() * k <= WHOLE_MAP_MAX_FLOATS;
    }

    /** {@link Gemm#block} keeps the sums out of C when the residual is C (A is the input or a gather of it). */
    @Override
    public boolean residualMayShareOutput() {
        return true;
    }

    @Override
    public int scratchFloats(int batch) {
        return gathersWholeMap(batch) ? batch * out.height() * out.width() * k : 0;
    }

    @Override
    public String algorithm() {
        return direct ? "gemm 1x1" : "im2col gemm";
    }

    @Override
    public void run(float[] x, int batch, float[] y, float[] residual, ConvOutput to, Team team, float[] scratch) {
        int pixels = out.height() * out.width();
        int panels = groups[0].panels();
        int workers = team.size();
        boolean rowsSuffice = !direct
                && batch * op.groups() * RowBlocks.count(pixels, ROWS_PER_TASK) >= ROW_BLOCKS_PER_WORKER * workers;
        boolean whole = gathersWholeMap(batch) && !rowsSuffice;
        if (whole) {
            int gatherBlocks = blocks(pixels, GATHER_ROWS);
            team.parallelFor(batch * gatherBlocks, t -> {
                int b = t / gatherBlocks;
                int row0 = (t % gatherBlocks) * GATHER_ROWS;
                int rows = Math.min(GATHER_ROWS, pixels - row0);
                im2col(x, b, 0, row0, rows, scratch, (b * pixels + row0) * k);
            });
        }
        boolean rowsAreFree = direct || whole;
        // Every row block streams all of B again. Where B is many times A (512 channels at 7x7: 9.4 MB of
        // weights against 0.9 MB of gathered rows) a task takes all rows and the split is by panels alone.
        boolean weightsDominate =
                rowsAreFree && (long) panels * groups[0].panelWidth() > WEIGHT_DOMINANCE * (long) pixels;
        int rowsPerTask = weightsDominate ? pixels : ROWS_PER_TASK;
        // Split by rows alone, a task gathers its rows once for all panels: with 16-column panels (256-bit
        // vectors) four panels per task would gather each row block three times for Inception's 192 columns.
        int panelsPerTask = rowsSuffice ? panels : PANELS_PER_TASK;
        // Small maps (14x14, 7x7) give a handful of tasks, and two cores sharing three tasks run at two thirds
        // of their speed. Split finer until each worker has several: panels first when A is read in place,
        // rows first when it is gathered (each panel block of a row block gathers the rows again).
        while (!rowsSuffice
                && batch * op.groups() * RowBlocks.count(pixels, rowsPerTask) * blocks(panels, panelsPerTask)
                        < TASKS_PER_WORKER * workers) {
            if (panelsPerTask > 1 && (rowsAreFree || rowsPerTask <= MIN_ROWS_PER_TASK)) {
                panelsPerTask /= 2;
            } else if (rowsPerTask > MIN_ROWS_PER_TASK && !weightsDominate) {
                rowsPerTask /= 2;
            } else {
                break;
            }
        }
        int taskRows = rowsPerTask;
        int taskPanels = panelsPerTask;
        int rowBlocks = RowBlocks.count(pixels, taskRows);
        int panelBlocks = blocks(panels, taskPanels);
        int perImage = op.groups() * rowBlocks * panelBlocks;
        // Where B does not stay in L2 beside A and C (ResNet-50's 1x1 layers at 14x14 have 1 MB of weights),
        // a panel block's tasks are consecutive, so B is streamed once per panel block instead of once per row
        // block, and a thread's share of the tasks covers a share of B. Otherwise rows stay the outer order:
        // C and the residual are then written and read in whole rows, which the prefetchers follow, and
        // gathered rows are not gathered again for every panel block.
        boolean panelsOuter = rowsAreFree
                && panelBlocks > 1
                && (long) k * panels * groups[0].panelWidth() * Float.BYTES > PANELS_OUTER_MIN_WEIGHT_BYTES;
        Epilogue[] epilogues = new Epilogue[groups.length];
        for (int g = 0; g < groups.length; g++) {
            epilogues[g] = new Epilogue(groupBias[g], residual, out.channels(), to.relu(), to.activation());
        }
        team.parallelFor(batch * perImage, task -> {
            int b = task / perImage;
            int rest = task % perImage;
            int g = rest / (rowBlocks * panelBlocks);
            rest %= rowBlocks * panelBlocks;
            int rowBlock = panelsOuter ? rest % rowBlocks : rest / panelBlocks;
            int row0 = RowBlocks.start(rowBlock, taskRows);
            int panel0 = (panelsOuter ? rest / rowBlocks : rest % panelBlocks) * taskPanels;
            int rows = RowBlocks.rows(rowBlock, rowBlocks, pixels, taskRows);
            float[] a;
            int aOff;
            int lda;
            if (direct) {
                a = x;
                aOff = (b * pixels + row0) * in.channels();
                lda = in.channels();
            } else if (whole) {
                a = scratch;
                aOff = (b * pixels + row0) * k;
                lda = k;
            } else {
                a = scratch(rows * k);
                aOff = 0;
                lda = k;
                im2col(x, b, g, row0, rows, a, 0);
            }
            int outPixel0 = b * pixels + row0;
            Gemm.block(
                    a,
                    aOff,
                    lda,
                    rows,
                    groups[g],
                    panel0,
                    Math.min(panels, panel0 + taskPanels),
                    y,
                    to.index(outPixel0, g * groupOut),
                    to.channels(),
                    outPixel0 * out.channels() + g * groupOut,
                    epilogues[g]);
        });
    }

    /**
     * Gathers rows [row0, row0+rows) of image b's im2col matrix for group g; padding reads as zero. With one
     * group and no dilation, a kernel row's taps are neighbouring pixels, so their channels form one
     * contiguous span of the NHWC input: one copy per kernel row instead of one per tap (7x fewer for the
     * 7x7 stem, whose taps hold only 3 channels each).
     */
    private void im2col(float[] x, int b, int g, int row0, int rows, float[] a, int aOff) {
        int inC = in.channels();
        int c0 = g * groupIn;
        int kw = op.kernelW();
        boolean spans = op.groups() == 1 && op.dilationW() == 1;
        for (int r = 0; r < rows; r++) {
            int pixel = row0 + r;
            int oy = pixel / out.width();
            int ox = pixel % out.width();
            int ixStart = ox * op.strideW() - op.padW();
            int dst = aOff + r * k;
            for (int ky = 0; ky < op.kernelH(); ky++) {
                int iy = oy * op.strideH() - op.padH() + ky * op.dilationH();
                int rowBase = (b * in.height() + iy) * in.width();
                if (iy < 0 || iy >= in.height()) {
                    java.util.Arrays.fill(a, dst, dst + kw * groupIn, 0f);
                } else if (spans) {
                    int first = Math.max(0, -ixStart);
                    int last = Math.min(kw, in.width() - ixStart);
                    java.util.Arrays.fill(a, dst, dst + first * inC, 0f);
                    if (last > first) {
                        copy(x, (rowBase + ixStart + first) * inC, a, dst + first * inC, (last - first) * inC);
                    }
                    java.util.Arrays.fill(a, dst + Math.max(first, last) * inC, dst + kw * inC, 0f);
                } else {
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ixStart + kx * op.dilationW();
                        int at = dst + kx * groupIn;
                        if (ix < 0 || ix >= in.width()) {
                            java.util.Arrays.fill(a, at, at + groupIn, 0f);
                        } else {
                            copy(x, (rowBase + ix) * inC + c0, a, at, groupIn);
                        }
                    }
                }
                dst += kw * groupIn;
            }
        }
    }

    /**
     * Copies a span of a few to a few hundred floats. The stem convolutions gather spans of 15 to 21 floats
     * (a kernel row of 3-channel pixels), tens of thousands per image; System.arraycopy's fixed cost per
     * call then outweighs the copying, while one or two (masked) vector moves do not.
     */
    private static void copy(float[] src, int from, float[] dst, int to, int length) {
        int j = 0;
        for (; j + LANES <= length; j += LANES) {
            FloatVector.fromArray(S, src, from + j).intoArray(dst, to + j);
        }
        if (j < length) {
            VectorMask<Float> m = S.indexInRange(j, length);
            FloatVector.fromArray(S, src, from + j, m).intoArray(dst, to + j, m);
        }
    }

    private static int blocks(int n, int per) {
        return (n + per - 1) / per;
    }

    private static float[] scratch(int size) {
        float[] s = SCRATCH.get();
        if (s.length < size) {
            s = new float[size];
            SCRATCH.set(s);
        }
        return s;
    }
}
