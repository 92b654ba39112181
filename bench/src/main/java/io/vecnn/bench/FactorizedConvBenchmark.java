package io.vecnn.bench;

import io.vecnn.Shape;
import io.vecnn.graph.Op;
import io.vecnn.kernels.Conv2dGemm;
import io.vecnn.kernels.ConvKernel;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Inception v3's im2col GEMM layers at batch 1, with ReLU: the factorized 1x7 and 7x1 convolutions at 17x17
 * (its largest class of layers) and the 3x3 and 1x3 ones at 8x8, stride 1, padding keeping the size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FactorizedConvBenchmark extends ConvKernelBenchmark {
    /** {@code CxHxW-O:KHxKW}. */
    @Param({"192x17x17-192:1x7", "192x17x17-192:7x1", "448x8x8-384:3x3", "384x8x8-384:1x3"})
    public String layer;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = layer.split("[x:-]");
        Shape in = new Shape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
        int cout = Integer.parseInt(parts[3]);
        int kh = Integer.parseInt(parts[4]);
        int kw = Integer.parseInt(parts[5]);
        Shape out = new Shape(cout, in.height(), in.width());
        SplittableRandom r = new SplittableRandom(7);
        ConvKernel kernel = new Conv2dGemm(
                new Op.Conv2d(cout, kh, kw, 1, 1, kh / 2, kw / 2, 1, 1, 1, "w", "b"),
                GaussianArrays.of(cout * kh * kw * in.channels(), r),
                GaussianArrays.of(cout, r),
                in,
                out);
        time(kernel, in, r);
    }
}
