package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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
    /** Tiles per transform task: enough work per task to amortise the fork. */
    private static final int TILES_PER_TASK = 8;
    /** GEMM rows (tiles) per task: a multiple of the microkernels' 6 and 8 rows. */
    private static final int ROWS_PER_TASK = 48;
    /** GEMM panels per task, so that positions × panels give the team work even for a handful of tiles. */
    private static final int PANELS_PER_TASK = 2;
    /**
     * Transformed tiles kept at once (V and M) while the transformed weights U are small enough to stay in
     * cache (up to {@link #CACHED_WEIGHT_FLOATS}): 512 KB, so V and M stay in L2 between the three phases. In a
     * network the caches are cold for each layer; with larger groups V and M went through memory twice.
     */
    private static final int SMALL_GROUP_FLOATS = 1 << 17;
    /**
     * With larger U (256 channels and up: 9 MB and more) every group reads U from memory again, so groups
     * are as large as 8 MB allows: VGG16's 512-channel layers at 28x28 then read their 38 MB U once, not 4 times.
     */
    private static final int LARGE_GROUP_FLOATS = 2 << 20;
    /** U up to 4 MB stays in the 32 MB L3 across groups. */
    private static final long CACHED_WEIGHT_FLOATS = 1 << 20;

    private static final int MIN_GROUP_TILES = 16;
    /**
     * Transformed weights up to 1 MB (64 channels in and out take 590 KB): a member taking whole groups reads all
     * of them for each group, from its L2 where a core has 1 MB or more.
     */
    private static final long PER_CORE_WEIGHT_FLOATS = 1 << 18;

    private static final int POSITIONS = 36;
    /** Per-thread room for one tile's patch and partial transforms: 72 vectors. */
    private static final ThreadLocal<float[]> TMP =
            ThreadLocal.withInitial(() -> new float[2 * POSITIONS * S.length()]);
    /** A member's group scratch (V, M and flags) when members take whole groups: kept, so runs allocate nothing. */
    private static final ThreadLocal<float[]> GROUP_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private final Shape in;
    private final Shape out;
    private final int pad;
    private final PackedMatrix[] u;
    /**
     * The OHWI weights as given, kept for tiles with a NaN or an infinity in their input: the transforms mix a
     * 6x6 patch into all 16 outputs, and an infinity minus itself turns outputs whose 3x3 window never saw it
     * into NaN. Such tiles are computed directly, so NaN and ±∞ reach exactly the outputs they do in PyTorch.
     */
    private final float[] weight;

    private final float[] bias;
    private final int tilesY;
    private final int tilesX;
    /** Channels rounded up to whole vectors, the row strides of the transformed tiles. */
    private final int cinPad;

    private final int coutPad;

    /**
     * @param weight OHWI {@code [out][3][3][in]}
     * @param pad    the (symmetric) padding, 0 or 1 for the networks here
     */
    public WinogradF43(float[] weight, float[] bias, int pad, Shape in, Shape out) {
        this.in = in;
        this.out = out;
        this.pad = pad;
        this.weight = weight;
        this.bias = bias;
        this.tilesY = (out.height() + 3) / 4;
        this.tilesX = (out.width() + 3) / 4;
        int cin = in.channels();
        int cout = out.channels();
        this.cinPad = (cin + S.length() - 1) / S.length() * S.length();
        this.coutPad = (cout + S.length() - 1) / S.length() * S.length();
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
        this.u = PackedMatrix.packAll(transformed, POSITIONS, cout, cin, Gemm.panelWidthFor(cout));
    }

    private static final double[][] G = {
        {1.0 / 4, 0, 0},
        {-1.0 / 6, -1.0 / 6, -1.0 / 6},
        {-1.0 / 6, 1.0 / 6, -1.0 / 6},
        {1.0 / 24, 1.0 / 12, 1.0 / 6},
        {1.0 / 24, -1.0 / 12, 1.0 / 6},
        {0, 0, 1}
    };

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public String algorithm() {
        return "winograd F(4x4,3x3)";
    }

    @Override
    public float[] ohwiWeight() {
        return weight.clone();
    }

    @Override
    public float[] bias() {
        return bias == null ? null : bias.clone();
    }

    /** Each output element is stored once, by {@link #store} or the direct tile, right after its residual is read. */
    @Override
    public boolean residualMayShareOutput() {
        return true;
    }

    /** V and M of a group, then one flag per tile of the group: 1 where its input patch is not all finite. */
    @Override
    public int scratchFloats(int batch) {
        int group = groupTiles(batch);
        return POSITIONS * group * (cinPad + coutPad) + group;
    }

    /**
     * Tiles transformed and multiplied together: as many as fit the group's scratch budget, so each
     * position's transformed weights are read once for the whole group rather than once per few tiles.
     */
    private int groupTiles(int batch) {
        int total = batch * tilesY * tilesX;
        long weights = (long) POSITIONS * cinPad * coutPad;
        int maxFloats = weights <= CACHED_WEIGHT_FLOATS ? SMALL_GROUP_FLOATS : LARGE_GROUP_FLOATS;
        int fit = maxFloats / (POSITIONS * (cinPad + coutPad));
        return Math.max(1, Math.min(total, Math.max(fit, MIN_GROUP_TILES)));
    }

    /**
     * Three phases per group of tiles: input transforms (by tile), the 36 GEMMs (by position, row block and
     * panel block, so even a 7x7 map with 4 tiles keeps both cores busy), output transforms with the
     * epilogue (by tile). With small transformed weights and enough tiles, each member of the team takes
     * whole groups instead (see {@link #groupsPerMember}).
     */
    @Override
    public void run(float[] x, int batch, float[] y, float[] residual, ConvOutput to, Team team, float[] scratch) {
        int total = batch * tilesY * tilesX;
        if (groupsPerMember(team, total)) {
            runGroupsPerMember(x, batch, y, residual, to, team, total);
            return;
        }
        int group = groupTiles(batch);
        for (int g0 = 0; g0 < total; g0 += group) {
            runGroup(x, g0, Math.min(group, total - g0), y, residual, to, team, scratch);
        }
    }

    /**
     * Whether each member of the team runs all three phases of whole groups. Split phase by phase, the
     * transformed tiles change cores twice per group (tiles to positions and back) with three waits for the
     * team, which on 64-channel layers at 56x56 costs about what the second core gains. When the transformed
     * weights stay in each core's L2 ({@link #PER_CORE_WEIGHT_FLOATS}) and every member gets groups of at least
     * {@link #MIN_GROUP_TILES}, a group never leaves its core and the team waits once per layer.
     */
    private boolean groupsPerMember(Team team, int total) {
        return team.size() > 1
                && (long) POSITIONS * cinPad * coutPad <= PER_CORE_WEIGHT_FLOATS
                && total >= team.size() * MIN_GROUP_TILES;
    }

    /**
     * Groups of nearly equal size, as many as the scratch budget asks for rounded up to a multiple of the team
     * size; member m takes the m-th contiguous share of them (the rows it wrote in the layer before).
     */
    private void runGroupsPerMember(
            float[] x, int batch, float[] y, float[] residual, ConvOutput to, Team team, int total) {
        int members = team.size();
        int groups = ceilDiv(ceilDiv(total, groupTiles(batch)), members) * members;
        int perGroup = ceilDiv(total, groups);
        int floats = POSITIONS * perGroup * (cinPad + coutPad) + perGroup;
        team.parallelFor(ceilDiv(total, perGroup), g -> {
            float[] scratch = GROUP_SCRATCH.get();
            if (scratch.length < floats) {
                scratch = new float[floats];
                GROUP_SCRATCH.set(scratch);
            }
            int first = g * perGroup;
            runGroup(x, first, Math.min(perGroup, total - first), y, residual, to, Team.CALLING_THREAD, scratch);
        });
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Tiles {@code [first, first + count)}: their transforms, the 36 products and the output transforms. */
    private void runGroup(
            float[] x, int first, int count, float[] y, float[] residual, ConvOutput to, Team team, float[] scratch) {
        int mOff = POSITIONS * count * cinPad;
        int flagOff = mOff + POSITIONS * count * coutPad;
        int chunks = (count + TILES_PER_TASK - 1) / TILES_PER_TASK;
        team.parallelFor(chunks, chunk -> {
            float[] tmp = TMP.get();
            for (int t = chunk * TILES_PER_TASK; t < Math.min(count, (chunk + 1) * TILES_PER_TASK); t++) {
                scratch[flagOff + t] = inputTransform(x, first + t, scratch, t, count, tmp) ? 1f : 0f;
            }
        });
        int rowBlocks = RowBlocks.count(count, ROWS_PER_TASK);
        int panels = u[0].panels();
        int panelBlocks = (panels + PANELS_PER_TASK - 1) / PANELS_PER_TASK;
        team.parallelFor(POSITIONS * rowBlocks * panelBlocks, task -> {
            int p = task / (rowBlocks * panelBlocks);
            int rest = task % (rowBlocks * panelBlocks);
            int rowBlock = rest / panelBlocks;
            int row0 = RowBlocks.start(rowBlock, ROWS_PER_TASK);
            int panel0 = (rest % panelBlocks) * PANELS_PER_TASK;
            Gemm.block(
                    scratch,
                    (p * count + row0) * cinPad,
                    cinPad,
                    RowBlocks.rows(rowBlock, rowBlocks, count, ROWS_PER_TASK),
                    u[p],
                    panel0,
                    Math.min(panels, panel0 + PANELS_PER_TASK),
                    scratch,
                    mOff + (p * count + row0) * coutPad,
                    coutPad,
                    0,
                    Epilogue.NONE);
        });
        team.parallelFor(chunks, chunk -> {
            float[] tmp = TMP.get();
            for (int t = chunk * TILES_PER_TASK; t < Math.min(count, (chunk + 1) * TILES_PER_TASK); t++) {
                if (scratch[flagOff + t] != 0f) {
                    directTile(x, first + t, y, residual, to, tmp);
                } else {
                    outputTransform(scratch, mOff, t, count, first + t, y, residual, to, tmp);
                }
            }
        });
    }

    /** The image of a tile numbered across the batch (image by image, row-major within an image). */
    private int tileImage(int globalTile) {
        return globalTile / (tilesY * tilesX);
    }

    /** The first output row of a tile. */
    private int tileTop(int globalTile) {
        return globalTile % (tilesY * tilesX) / tilesX * 4;
    }

    /** The first output column of a tile. */
    private int tileLeft(int globalTile) {
        return globalTile % tilesX * 4;
    }

    /**
     * V[pos][t][c] = (Bᵀ d B)[pos] for tile t. The 6x6 patch is gathered first (zeros outside the map), then
     * transformed column by column and row by row, a channel vector at a time. Channels are padded to whole
     * vectors in V so the transforms never need masks.
     *
     * @return whether the patch holds a NaN or an infinity (then {@link #directTile} computes the tile)
     */
    private boolean inputTransform(float[] x, int globalTile, float[] v, int t, int count, float[] tmp) {
        int cin = in.channels();
        int lanes = S.length();
        int b = tileImage(globalTile);
        int iy0 = tileTop(globalTile) - pad;
        int ix0 = tileLeft(globalTile) - pad;
        int patch = POSITIONS * lanes;
        int step = count * cinPad;
        // x·0 is 0 for every finite x and NaN for NaN and ±∞: one multiply-add per value tells a finite patch.
        FloatVector nonFinite = FloatVector.zero(S);
        for (int c = 0; c < cin; c += lanes) {
            boolean whole = c + lanes <= cin;
            VectorMask<Float> mask = S.indexInRange(c, cin);
            for (int r = 0; r < 6; r++) {
                int iy = iy0 + r;
                for (int col = 0; col < 6; col++) {
                    int ix = ix0 + col;
                    int at = patch + (r * 6 + col) * lanes;
                    if (iy < 0 || iy >= in.height() || ix < 0 || ix >= in.width()) {
                        FloatVector.zero(S).intoArray(tmp, at);
                    } else {
                        int at0 = ((b * in.height() + iy) * in.width() + ix) * cin + c;
                        FloatVector d =
                                whole ? FloatVector.fromArray(S, x, at0) : FloatVector.fromArray(S, x, at0, mask);
                        nonFinite = nonFinite.add(d.mul(0f));
                        d.intoArray(tmp, at);
                    }
                }
            }
            for (int col = 0; col < 6; col++) {
                bt(tmp, patch + col * lanes, 6 * lanes, tmp, col * lanes, 6 * lanes);
            }
            for (int r = 0; r < 6; r++) {
                bt(tmp, r * 6 * lanes, lanes, v, ((r * 6) * count + t) * cinPad + c, step);
            }
        }
        return nonFinite.test(VectorOperators.IS_NAN).anyTrue();
    }

    /**
     * One output tile by the definition of the convolution, for an input patch with a NaN or an infinity:
     * each output sums only its own 3x3 window, then bias, residual and ReLU as in {@link #store}. Lane sums
     * are added in a fixed order, so the result is the same on every run.
     */
    private void directTile(float[] x, int globalTile, float[] y, float[] residual, ConvOutput to, float[] tmp) {
        int cin = in.channels();
        int cout = out.channels();
        int lanes = S.length();
        int b = tileImage(globalTile);
        int oy0 = tileTop(globalTile);
        int ox0 = tileLeft(globalTile);
        for (int oy = oy0; oy < Math.min(oy0 + 4, out.height()); oy++) {
            for (int ox = ox0; ox < Math.min(ox0 + 4, out.width()); ox++) {
                int pixel = (b * out.height() + oy) * out.width() + ox;
                for (int o = 0; o < cout; o++) {
                    FloatVector acc = FloatVector.zero(S);
                    for (int ky = 0; ky < 3; ky++) {
                        int iy = oy - pad + ky;
                        if (iy < 0 || iy >= in.height()) {
                            continue;
                        }
                        for (int kx = 0; kx < 3; kx++) {
                            int ix = ox - pad + kx;
                            if (ix < 0 || ix >= in.width()) {
                                continue;
                            }
                            int xi = ((b * in.height() + iy) * in.width() + ix) * cin;
                            int wi = (o * 9 + ky * 3 + kx) * cin;
                            for (int c = 0; c < cin; c += lanes) {
                                VectorMask<Float> m = S.indexInRange(c, cin);
                                acc = FloatVector.fromArray(S, x, xi + c, m)
                                        .fma(FloatVector.fromArray(S, weight, wi + c, m), acc);
                            }
                        }
                    }
                    acc.intoArray(tmp, 0);
                    float v = 0;
                    for (int l = 0; l < lanes; l++) {
                        v += tmp[l];
                    }
                    if (bias != null) {
                        v += bias[o];
                    }
                    if (residual != null) {
                        v += residual[pixel * cout + o];
                    }
                    v = to.relu() ? Math.max(v, 0f) : v;
                    y[to.index(pixel, o)] = to.activation() == null
                            ? v
                            : (float) to.activation().apply(v);
                }
            }
        }
    }

    /**
     * Bᵀ on six vectors: {@code src[s + i*ss]} → {@code dst[d + i*ds]}. Vectors stay locals of this small
     * method; passed across calls C2 does not inline they would be boxed.
     */
    private static void bt(float[] src, int s, int ss, float[] dst, int d, int ds) {
        FloatVector d0 = FloatVector.fromArray(S, src, s);
        FloatVector d1 = FloatVector.fromArray(S, src, s + ss);
        FloatVector d2 = FloatVector.fromArray(S, src, s + 2 * ss);
        FloatVector d3 = FloatVector.fromArray(S, src, s + 3 * ss);
        FloatVector d4 = FloatVector.fromArray(S, src, s + 4 * ss);
        FloatVector d5 = FloatVector.fromArray(S, src, s + 5 * ss);
        d0.mul(4f).sub(d2.mul(5f)).add(d4).intoArray(dst, d);
        d1.add(d2).mul(-4f).add(d3).add(d4).intoArray(dst, d + ds);
        d1.sub(d2).mul(4f).sub(d3).add(d4).intoArray(dst, d + 2 * ds);
        d3.sub(d1).mul(2f).sub(d2).add(d4).intoArray(dst, d + 3 * ds);
        d1.sub(d3).mul(2f).sub(d2).add(d4).intoArray(dst, d + 4 * ds);
        d1.mul(4f).sub(d3.mul(5f)).add(d5).intoArray(dst, d + 5 * ds);
    }

    /** Aᵀ on six vectors {@code src[s + i*ss]}, four results to {@code dst[d + i*ds]}. */
    private static void at(float[] src, int s, int ss, float[] dst, int d, int ds) {
        FloatVector s0 = FloatVector.fromArray(S, src, s);
        FloatVector s1 = FloatVector.fromArray(S, src, s + ss);
        FloatVector s2 = FloatVector.fromArray(S, src, s + 2 * ss);
        FloatVector s3 = FloatVector.fromArray(S, src, s + 3 * ss);
        FloatVector s4 = FloatVector.fromArray(S, src, s + 4 * ss);
        FloatVector s5 = FloatVector.fromArray(S, src, s + 5 * ss);
        FloatVector p12 = s1.add(s2);
        FloatVector m12 = s1.sub(s2);
        FloatVector p34 = s3.add(s4);
        FloatVector m34 = s3.sub(s4);
        s0.add(p12).add(p34).intoArray(dst, d);
        m12.add(m34.mul(2f)).intoArray(dst, d + ds);
        p12.add(p34.mul(4f)).intoArray(dst, d + 2 * ds);
        m12.add(m34.mul(8f)).add(s5).intoArray(dst, d + 3 * ds);
    }

    /** Y = Aᵀ M A for tile t, then bias, residual and ReLU; only the part of the tile inside the output is stored. */
    private void outputTransform(
            float[] m,
            int mOff,
            int t,
            int count,
            int globalTile,
            float[] y,
            float[] residual,
            ConvOutput to,
            float[] tmp) {
        int cout = out.channels();
        int lanes = S.length();
        int b = tileImage(globalTile);
        int oy0 = tileTop(globalTile);
        int ox0 = tileLeft(globalTile);
        int step = count * coutPad;
        int rows = Math.min(4, out.height() - oy0);
        int cols = Math.min(4, out.width() - ox0);
        for (int c = 0; c < cout; c += lanes) {
            for (int col = 0; col < 6; col++) {
                at(m, mOff + (col * count + t) * coutPad + c, 6 * step, tmp, col * lanes, 6 * lanes);
            }
            for (int r = 0; r < rows; r++) {
                at(tmp, r * 6 * lanes, lanes, tmp, (POSITIONS + r * 4) * lanes, lanes);
            }
            for (int r = 0; r < rows; r++) {
                int pixel = (b * out.height() + oy0 + r) * out.width() + ox0;
                store(tmp, (POSITIONS + r * 4) * lanes, cols, y, pixel, residual, to, c);
            }
        }
    }

    /**
     * Stores {@code cols} consecutive pixels' vectors from {@code src}, with bias, residual and ReLU. Only a
     * channel tail is masked: as an AVX2 JVM a masked store is emulated (VMASKMOVPS), slow on AMD cores.
     */
    private void store(float[] src, int s, int cols, float[] y, int pixel, float[] residual, ConvOutput to, int c) {
        int cout = out.channels();
        boolean whole = c + S.length() <= cout;
        VectorMask<Float> mask = S.indexInRange(c, cout);
        FloatVector biasV = bias == null
                ? FloatVector.zero(S)
                : whole ? FloatVector.fromArray(S, bias, c) : FloatVector.fromArray(S, bias, c, mask);
        for (int col = 0; col < cols; col++) {
            FloatVector v = FloatVector.fromArray(S, src, s + col * S.length()).add(biasV);
            if (residual != null) {
                int r = (pixel + col) * cout + c;
                v = v.add(whole ? FloatVector.fromArray(S, residual, r) : FloatVector.fromArray(S, residual, r, mask));
            }
            if (to.relu()) {
                v = v.blend(0f, v.compare(VectorOperators.LT, 0f));
            }
            int at = to.index(pixel + col, c);
            if (whole) {
                v.intoArray(y, at);
            } else {
                v.intoArray(y, at, mask);
            }
            if (to.activation() != null) {
                // On the stored values: per vector here, the activation's code would not inline.
                ActivationVectors.apply(to.activation(), y, at, at + Math.min(S.length(), cout - c), y);
            }
        }
    }
}
