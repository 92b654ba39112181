package io.vecnn.bench;

import io.vecnn.Shape;
import io.vecnn.kernels.Pool2dNhwc;
import io.vecnn.kernels.PoolWindows;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** Pooling layers of the six networks at batch 1, vectorised over NHWC channels. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PoolBenchmark extends TeamBenchmark {
    /**
     * {@code kind:CxHxW:kernel/stride/pad}: ResNet's stem max pool, VGG16's first 2x2 pool, an Inception
     * branch's 3x3 average pool, AlexNet's overlapping max pool.
     */
    @Param({"max:64x112x112:3/2/1", "max:64x224x224:2/2/0", "avg:192x28x28:3/1/1", "max:64x55x55:3/2/0"})
    public String pool;

    private Pool2dNhwc kernel;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = pool.split(":");
        String[] dims = parts[1].split("x");
        String[] window = parts[2].split("/");
        Shape in = new Shape(Integer.parseInt(dims[0]), Integer.parseInt(dims[1]), Integer.parseInt(dims[2]));
        int k = Integer.parseInt(window[0]);
        int s = Integer.parseInt(window[1]);
        int p = Integer.parseInt(window[2]);
        Shape out = new Shape(in.channels(), (in.height() + 2 * p - k) / s + 1, (in.width() + 2 * p - k) / s + 1);
        kernel = new Pool2dNhwc(
                PoolWindows.of(in.height(), out.height(), k, s, p, true),
                PoolWindows.of(in.width(), out.width(), k, s, p, true),
                parts[0].equals("max"),
                in,
                out);
        x = GaussianArrays.of((int) in.size(), new SplittableRandom(9));
        y = new float[(int) out.size()];
    }

    @Benchmark
    public float[] pool() {
        onTeam(team -> kernel.run(x, 1, y, team));
        return y;
    }
}
