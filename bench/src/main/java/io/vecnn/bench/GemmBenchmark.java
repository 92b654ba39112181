package io.vecnn.bench;

import io.vecnn.kernels.Epilogue;
import io.vecnn.kernels.Gemm;
import io.vecnn.kernels.PackedMatrix;
import io.vecnn.kernels.RowBlocks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * GEMM C[M×N] = A[M×K]·B[K×N] with B pre-packed, as convolutions use it. Shapes: squares, ResNet-50
 * layers, VGG16's 14x14 layer and Inception v3's 1x7 at 17x17, 192 columns (M = output pixels, N = output
 * channels, K = kernel × input channels).
 * GFLOP/s = 2·M·N·K / time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GemmBenchmark extends TeamBenchmark {
    private static final int ROWS_PER_TASK = 48;

    @Param({
        "256x256x256",
        "512x512x512",
        "1024x1024x1024",
        "3136x64x576",
        "196x256x2304",
        "3136x256x64",
        "196x512x4608",
        "289x192x1344"
    })
    public String shape;

    /**
     * Distinct copies of B, used in turn: 1 keeps B in cache between runs (the kernels' own speed); enough
     * copies to exceed the L3 make every run read B from memory, as a layer in a network does.
     */
    @Param({"1"})
    public int weightCopies;

    private int m;
    private int run;
    private PackedMatrix[] copies;
    private float[] a;
    private float[] c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        m = Integer.parseInt(dims[0]);
        int n = Integer.parseInt(dims[1]);
        int k = Integer.parseInt(dims[2]);
        SplittableRandom r = new SplittableRandom(1);
        a = GaussianArrays.of(m * k, r);
        float[] w = GaussianArrays.of(n * k, r);
        copies = new PackedMatrix[weightCopies];
        for (int i = 0; i < weightCopies; i++) {
            copies[i] = PackedMatrix.pack(w, 0, n, k, Gemm.panelWidthFor(n));
        }
        c = new float[m * n];
    }

    @Benchmark
    public float[] gemm() {
        PackedMatrix b = copies[run++ % copies.length];
        int k = b.k();
        int n = b.n();
        int blocks = RowBlocks.count(m, ROWS_PER_TASK);
        onTeam(team -> team.parallelFor(blocks, t -> {
            int row0 = RowBlocks.start(t, ROWS_PER_TASK);
            Gemm.block(
                    a,
                    row0 * k,
                    k,
                    RowBlocks.rows(t, blocks, m, ROWS_PER_TASK),
                    b,
                    0,
                    b.panels(),
                    c,
                    row0 * n,
                    n,
                    0,
                    Epilogue.NONE);
        }));
        return c;
    }
}
