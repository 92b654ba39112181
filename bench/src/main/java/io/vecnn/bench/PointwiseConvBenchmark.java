package io.vecnn.bench;

import io.vecnn.Shape;
import io.vecnn.graph.Op;
import io.vecnn.kernels.Conv2dGemm;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.ConvOutput;
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
 * ResNet-50's 1x1 convolutions at batch 1 as the plan runs them: bias (BatchNorm folded in), then the
 * residual where the block ends in one, then ReLU. The input and, where present, the residual are maps of
 * their own, larger than L2 at 56x56, as in the network. JMH also prints {@code conv:gflop}: GFLOP/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PointwiseConvBenchmark extends TeamBenchmark {
    /**
     * {@code CxHxW-O}, with {@code -res} where a residual is added (a bottleneck's last convolution): ResNet-50's,
     * and Inception v3's 768-channel input at 17x17.
     */
    @Param({
        "64x56x56-64",
        "64x56x56-256-res",
        "256x56x56-64",
        "256x56x56-128",
        "128x28x28-512-res",
        "512x28x28-128",
        "256x14x14-1024-res",
        "1024x14x14-256",
        "512x7x7-2048-res",
        "2048x7x7-512",
        "768x17x17-192"
    })
    public String layer;

    private ConvKernel kernel;
    private ConvOutput to;
    private float[] x;
    private float[] y;
    private float[] residual;
    private float[] scratch;
    private double gflopPerRun;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = layer.split("[x-]");
        Shape in = new Shape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        int outChannels = Integer.parseInt(parts[3]);
        boolean withResidual = parts.length > 4;
        Shape out = new Shape(outChannels, in.height(), in.width());
        SplittableRandom r = new SplittableRandom(3);
        float[] w = GaussianArrays.of(outChannels * in.channels(), r);
        float[] bias = GaussianArrays.of(outChannels, r);
        kernel = new Conv2dGemm(new Op.Conv2d(outChannels, 1, 1, 1, 1, 0, 0, 1, 1, 1, "w", "b"), w, bias, in, out);
        to = ConvOutput.whole(outChannels, true);
        x = GaussianArrays.of((int) in.size(), r);
        y = new float[(int) out.size()];
        residual = withResidual ? GaussianArrays.of((int) out.size(), r) : null;
        scratch = new float[kernel.scratchFloats(1)];
        gflopPerRun = 2.0 * out.size() * in.channels() / 1e9;
    }

    @Benchmark
    public float[] conv(ConvBenchmark.Flops flops) {
        onTeam(team -> kernel.run(x, 1, y, residual, to, team, scratch));
        flops.gflop += gflopPerRun;
        return y;
    }
}
