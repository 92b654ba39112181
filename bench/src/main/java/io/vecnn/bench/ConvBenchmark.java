package io.vecnn.bench;

import io.vecnn.Shape;
import io.vecnn.graph.Op;
import io.vecnn.kernels.Conv2dGemm;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.ConvOutput;
import io.vecnn.kernels.WinogradF43;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Every distinct 3x3 stride-1 convolution of ResNet-18 and VGG16 at batch 1, by Winograd F(4x4,3x3) and by
 * im2col + GEMM, in runs per second. JMH also prints {@code conv:gflop}: effective GFLOP/s, counting the
 * direct convolution's 2·H·W·O·9·C operations whatever the algorithm does, so Winograd can exceed the FMA peak.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConvBenchmark extends TeamBenchmark {
    /** {@code CxHxW-O}: input channels and size, output channels (padding 1 keeps the size). */
    @Param({
        "64x56x56-64",
        "128x28x28-128",
        "256x14x14-256",
        "512x7x7-512",
        "3x224x224-64",
        "64x224x224-64",
        "64x112x112-128",
        "128x112x112-128",
        "128x56x56-256",
        "256x56x56-256",
        "256x28x28-512",
        "512x28x28-512",
        "512x14x14-512"
    })
    public String layer;

    @Param({"winograd", "im2col"})
    public String algorithm;

    private ConvKernel kernel;
    private float[] x;
    private float[] y;
    private float[] scratch;
    private double gflopPerRun;

    /** Effective GFLOP done, which JMH reports as a rate per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public double gflop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = layer.split("[x-]");
        Shape in = new Shape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        int outChannels = Integer.parseInt(parts[3]);
        Shape out = new Shape(outChannels, in.height(), in.width());
        SplittableRandom r = new SplittableRandom(3);
        float[] w = GaussianArrays.of(outChannels * 9 * in.channels(), r);
        float[] bias = new float[outChannels];
        kernel = algorithm.equals("winograd")
                ? new WinogradF43(w, bias, 1, in, out)
                : new Conv2dGemm(new Op.Conv2d(outChannels, 3, 3, 1, 1, 1, 1, 1, 1, 1, "w", "b"), w, bias, in, out);
        x = GaussianArrays.of((int) in.size(), r);
        y = new float[(int) out.size()];
        scratch = new float[kernel.scratchFloats(1)];
        gflopPerRun = 2.0 * out.size() * 9 * in.channels() / 1e9;
    }

    @Benchmark
    public float[] conv(Flops flops) {
        onTeam(team ->
                kernel.run(x, 1, y, null, ConvOutput.whole(kernel.outputShape().channels(), true), team, scratch));
        flops.gflop += gflopPerRun;
        return y;
    }
}
