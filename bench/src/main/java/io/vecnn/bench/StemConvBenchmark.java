package io.vecnn.bench;

import io.vecnn.Shape;
import io.vecnn.graph.Op;
import io.vecnn.kernels.Conv2dImplicitGemm;
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
 * The RGB stems on the implicit GEMM, batch 1, with ReLU: ResNet's and GoogLeNet's 7x7 stride 2 to 64 channels,
 * AlexNet's 11x11 stride 4 to 64, MobileNet's and EfficientNet's 3x3 stride 2 to 32.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StemConvBenchmark extends ConvKernelBenchmark {
    /** {@code outChannels:kernel/stride/pad} on a 3x224x224 input. */
    @Param({"64:7/2/3", "64:11/4/2", "32:3/2/1"})
    public String stem;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = stem.split(":");
        String[] window = parts[1].split("/");
        int cout = Integer.parseInt(parts[0]);
        int k = Integer.parseInt(window[0]);
        int s = Integer.parseInt(window[1]);
        int p = Integer.parseInt(window[2]);
        Shape in = new Shape(3, 224, 224);
        int side = (224 + 2 * p - k) / s + 1;
        Shape out = new Shape(cout, side, side);
        SplittableRandom r = new SplittableRandom(5);
        ConvKernel kernel = new Conv2dImplicitGemm(
                new Op.Conv2d(cout, k, k, s, s, p, p, 1, 1, 1, "w", "b"),
                GaussianArrays.of(cout * k * k * 3, r),
                GaussianArrays.of(cout, r),
                in,
                out);
        time(kernel, in, r);
    }
}
