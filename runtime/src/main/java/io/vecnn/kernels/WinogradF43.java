package io.vecnn.kernels;

import io.vecnn.graph.Shape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.ForkJoinPool;

import static io.vecnn.kernels.GemmMicroKernel8x3v.NR;

/**
 * 3x3 stride-1 convolution by Winograd F(4x4, 3x3) (Lavin &amp; Gray): each 4x4 output tile comes from a
 * 6x6 input tile with 36 multiplications per channel pair instead of 144, a 4x cut in FLOPs. Per block of
 * tiles: the input transform {@code Bᵀ d B}, vectorised across channels (contiguous in NHWC); then 36
 * independent GEMMs [tiles × Cin]·[Cin × Cout], one per tile position, on the packed-panel kernel; then
 * the output transform {@code Aᵀ m A} with the fused epilogue. Weights are transformed ({@code G g Gᵀ})
 * and packed once, when the plan is built.
 */
public final class WinogradF43 implements ConvKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Tiles per task: 16 rows keep two microkernel row blocks busy per GEMM while V and M stay within L2. */
    private static final int TILES_PER_TASK = 16;
    private static final int POSITIONS = 36;
    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[POSITIONS * S.length()]});

    private final Shape in;
    private final Shape out;
    private final int pad;
    private final PackedMatrix[] u;
    private final float[] bias;
    private final int tilesY;
    private final int tilesX;

    /**
     * @param weight OHWI {@code [out][3][3][in]}
     * @param pad    the (symmetric) padding, 0 or 1 for the networks here
     */
    public WinogradF43(float[] weight, float[] bias, int pad, Shape in, Shape out) {
        this.in = in;
        this.out = out;
        this.pad = pad;
        this.bias = bias;
        this.tilesY = (out.height() + 3) / 4;
        this.tilesX = (out.width() + 3) / 4;
        int cin = in.channels();
        int cout = out.channels();
        float[] transformed = new float[POSITIONS * cout * cin];
        double[] g = new double[9];
        double[] tmp = new double[18];
        for (int o = 0; o < cout; o++) {
            for (int i = 0; i < cin; i++) {
                for (int t = 0; t < 9; t++) {
                    g[t] = weight[(o * 9 + t) * cin + i];
                }
                // G g Gᵀ, in double: the weight transform runs once, so it can be exact to float rounding.
                for (int r = 0; r < 6; r++) {
                    for (int c = 0; c < 3; c++) {
                        tmp[r * 3 + c] = G[r][0] * g[c] + G[r][1] * g[3 + c] + G[r][2] * g[6 + c];
                    }
                }
                for (int r = 0; r < 6; r++) {
                    for (int c = 0; c < 6; c++) {
                        double v = tmp[r * 3] * G[c][0] + tmp[r * 3 + 1] * G[c][1] + tmp[r * 3 + 2] * G[c][2];
                        transformed[((r * 6 + c) * cout + o) * cin + i] = (float) v;
                    }
                }
            }
        }
        this.u = new PackedMatrix[POSITIONS];
        for (int p = 0; p < POSITIONS; p++) {
            u[p] = PackedMatrix.pack(transformed, p * cout * cin, cout, cin, NR);
        }
    }

    private static final double[][] G = {
            {1.0 / 4, 0, 0},
            {-1.0 / 6, -1.0 / 6, -1.0 / 6},
            {-1.0 / 6, 1.0 / 6, -1.0 / 6},
            {1.0 / 24, 1.0 / 12, 1.0 / 6},
            {1.0 / 24, -1.0 / 12, 1.0 / 6},
            {0, 0, 1}};

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public String algorithm() {
        return "winograd F(4x4,3x3)";
    }

    @Override
    public void run(float[] x, int batch, float[] y, int yChannel, int yChannels, float[] residual, boolean relu,
                    ForkJoinPool pool) {
        int tiles = tilesY * tilesX;
        int blocks = (tiles + TILES_PER_TASK - 1) / TILES_PER_TASK;
        ParallelFor.run(pool, batch * blocks, task -> {
            int b = task / blocks;
            int tile0 = (task % blocks) * TILES_PER_TASK;
            int count = Math.min(TILES_PER_TASK, tiles - tile0);
            float[][] scratch = scratch(count);
            float[] v = scratch[0];
            float[] m = scratch[1];
            float[] tmp = scratch[2];
            int cin = in.channels();
            int cout = out.channels();
            for (int t = 0; t < count; t++) {
                inputTransform(x, b, tile0 + t, v, t, count, tmp);
            }
            for (int p = 0; p < POSITIONS; p++) {
                Gemm.block(v, p * count * cin, cin, count, u[p], 0, u[p].panels(), m, p * count * cout, cout, 0,
                        Epilogue.NONE);
            }
            for (int t = 0; t < count; t++) {
                outputTransform(m, t, count, b, tile0 + t, y, yChannel, yChannels, residual, relu, tmp);
            }
        });
    }

    /**
     * V[pos][t][c] = (Bᵀ d B)[pos] for tile t, vector by vector over channels; padding and overhang read
     * zero. Columns are transformed into {@code tmp}, then rows into V: vectors stay in locals (an array of
     * vectors would put them on the heap).
     */
    private void inputTransform(float[] x, int b, int tile, float[] v, int t, int count, float[] tmp) {
        int cin = in.channels();
        int lanes = S.length();
        int iy0 = (tile / tilesX) * 4 - pad;
        int ix0 = (tile % tilesX) * 4 - pad;
        for (int c = 0; c < cin; c += lanes) {
            VectorMask<Float> mask = S.indexInRange(c, cin);
            for (int col = 0; col < 6; col++) {
                int ix = ix0 + col;
                boolean inside = ix >= 0 && ix < in.width();
                FloatVector d0 = load(x, b, iy0, ix, inside, c, mask);
                FloatVector d1 = load(x, b, iy0 + 1, ix, inside, c, mask);
                FloatVector d2 = load(x, b, iy0 + 2, ix, inside, c, mask);
                FloatVector d3 = load(x, b, iy0 + 3, ix, inside, c, mask);
                FloatVector d4 = load(x, b, iy0 + 4, ix, inside, c, mask);
                FloatVector d5 = load(x, b, iy0 + 5, ix, inside, c, mask);
                d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(tmp, col * lanes);
                d1.add(d2).mul(-4f).add(d3).add(d4).intoArray(tmp, (6 + col) * lanes);
                d1.sub(d2).mul(4f).sub(d3).add(d4).intoArray(tmp, (12 + col) * lanes);
                d3.sub(d1).mul(2f).sub(d2).add(d4).intoArray(tmp, (18 + col) * lanes);
                d1.sub(d3).mul(2f).sub(d2).add(d4).intoArray(tmp, (24 + col) * lanes);
                d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(tmp, (30 + col) * lanes);
            }
            for (int r = 0; r < 6; r++) {
                FloatVector d0 = FloatVector.fromArray(S, tmp, (r * 6) * lanes);
                FloatVector d1 = FloatVector.fromArray(S, tmp, (r * 6 + 1) * lanes);
                FloatVector d2 = FloatVector.fromArray(S, tmp, (r * 6 + 2) * lanes);
                FloatVector d3 = FloatVector.fromArray(S, tmp, (r * 6 + 3) * lanes);
                FloatVector d4 = FloatVector.fromArray(S, tmp, (r * 6 + 4) * lanes);
                FloatVector d5 = FloatVector.fromArray(S, tmp, (r * 6 + 5) * lanes);
                int at = ((r * 6) * count + t) * cin + c;
                int step = count * cin;
                d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(v, at, mask);
                d1.add(d2).mul(-4f).add(d3).add(d4).intoArray(v, at + step, mask);
                d1.sub(d2).mul(4f).sub(d3).add(d4).intoArray(v, at + 2 * step, mask);
                d3.sub(d1).mul(2f).sub(d2).add(d4).intoArray(v, at + 3 * step, mask);
                d1.sub(d3).mul(2f).sub(d2).add(d4).intoArray(v, at + 4 * step, mask);
                d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(v, at + 5 * step, mask);
            }
        }
    }

    private FloatVector load(float[] x, int b, int iy, int ix, boolean columnInside, int c, VectorMask<Float> mask) {
        if (!columnInside || iy < 0 || iy >= in.height()) {
            return FloatVector.zero(S);
        }
        return FloatVector.fromArray(S, x, ((b * in.height() + iy) * in.width() + ix) * in.channels() + c, mask);
    }

    /**
     * Y = Aᵀ M A for tile t, plus bias, residual and ReLU; only the part of the 4x4 tile inside the output
     * is stored. Columns go through {@code tmp} as in the input transform.
     */
    private void outputTransform(float[] m, int t, int count, int b, int tile, float[] y, int yChannel, int yChannels,
                                 float[] residual, boolean relu, float[] tmp) {
        int cout = out.channels();
        int lanes = S.length();
        int oy0 = (tile / tilesX) * 4;
        int ox0 = (tile % tilesX) * 4;
        int step = count * cout;
        for (int c = 0; c < cout; c += lanes) {
            VectorMask<Float> mask = S.indexInRange(c, cout);
            for (int col = 0; col < 6; col++) {
                int at = (col * count + t) * cout + c;
                FloatVector s0 = FloatVector.fromArray(S, m, at, mask);
                FloatVector s1 = FloatVector.fromArray(S, m, at + 6 * step, mask);
                FloatVector s2 = FloatVector.fromArray(S, m, at + 12 * step, mask);
                FloatVector s3 = FloatVector.fromArray(S, m, at + 18 * step, mask);
                FloatVector s4 = FloatVector.fromArray(S, m, at + 24 * step, mask);
                FloatVector s5 = FloatVector.fromArray(S, m, at + 30 * step, mask);
                FloatVector p12 = s1.add(s2);
                FloatVector m12 = s1.sub(s2);
                FloatVector p34 = s3.add(s4);
                FloatVector m34 = s3.sub(s4);
                s0.add(p12).add(p34).intoArray(tmp, col * lanes);
                m12.add(m34.mul(2f)).intoArray(tmp, (6 + col) * lanes);
                p12.add(p34.mul(4f)).intoArray(tmp, (12 + col) * lanes);
                m12.add(m34.mul(8f)).add(s5).intoArray(tmp, (18 + col) * lanes);
            }
            FloatVector biasV = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, c, mask);
            for (int r = 0; r < 4 && oy0 + r < out.height(); r++) {
                FloatVector s0 = FloatVector.fromArray(S, tmp, (r * 6) * lanes);
                FloatVector s1 = FloatVector.fromArray(S, tmp, (r * 6 + 1) * lanes);
                FloatVector s2 = FloatVector.fromArray(S, tmp, (r * 6 + 2) * lanes);
                FloatVector s3 = FloatVector.fromArray(S, tmp, (r * 6 + 3) * lanes);
                FloatVector s4 = FloatVector.fromArray(S, tmp, (r * 6 + 4) * lanes);
                FloatVector s5 = FloatVector.fromArray(S, tmp, (r * 6 + 5) * lanes);
                FloatVector p12 = s1.add(s2);
                FloatVector m12 = s1.sub(s2);
                FloatVector p34 = s3.add(s4);
                FloatVector m34 = s3.sub(s4);
                int pixel = (b * out.height() + oy0 + r) * out.width() + ox0;
                store(s0.add(p12).add(p34), biasV, y, pixel, ox0, yChannel, yChannels, residual, relu, c, mask);
                store(m12.add(m34.mul(2f)), biasV, y, pixel + 1, ox0 + 1, yChannel, yChannels, residual, relu, c, mask);
                store(p12.add(p34.mul(4f)), biasV, y, pixel + 2, ox0 + 2, yChannel, yChannels, residual, relu, c, mask);
                store(m12.add(m34.mul(8f)).add(s5), biasV, y, pixel + 3, ox0 + 3, yChannel, yChannels, residual, relu,
                        c, mask);
            }
        }
    }

    private void store(FloatVector v, FloatVector biasV, float[] y, int pixel, int ox, int yChannel, int yChannels,
                       float[] residual, boolean relu, int c, VectorMask<Float> mask) {
        if (ox >= out.width()) {
            return;
        }
        v = v.add(biasV);
        if (residual != null) {
            v = v.add(FloatVector.fromArray(S, residual, pixel * out.channels() + c, mask));
        }
        if (relu) {
            v = v.lanewise(VectorOperators.MAX, 0f);
        }
        v.intoArray(y, pixel * yChannels + yChannel + c, mask);
    }

    private float[][] scratch(int count) {
        float[][] s = SCRATCH.get();
        int vSize = POSITIONS * count * in.channels();
        int mSize = POSITIONS * count * out.channels();
        if (s[0].length < vSize) {
            s[0] = new float[vSize];
        }
        if (s[1].length < mSize) {
            s[1] = new float[mSize];
        }
        return s;
    }
}
