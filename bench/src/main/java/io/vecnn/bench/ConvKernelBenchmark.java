package io.vecnn.bench;

import io.vecnn.Shape;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.ConvOutput;
import org.openjdk.jmh.annotations.Benchmark;

import java.util.SplittableRandom;

/**
 * What the benchmarks of one convolution kernel alone share: a random input at batch 1, the output with ReLU,
 * the kernel's scratch, and the timed call on the team. Subclasses build the kernel in their setup and hand it
 * to {@link #time}.
 */
public abstract class ConvKernelBenchmark extends TeamBenchmark {
    private ConvKernel kernel;
    private float[] x;
    private float[] y;
    private float[] scratch;
    private ConvOutput to;

    /** Times {@code kernel} on an input of shape {@code in} drawn from {@code r}, standard normal. */
    protected void time(ConvKernel kernel, Shape in, SplittableRandom r) {
        Shape out = kernel.outputShape();
        this.kernel = kernel;
        this.x = GaussianArrays.of((int) in.size(), r);
        this.y = new float[(int) out.size()];
        this.scratch = new float[kernel.scratchFloats(1)];
        this.to = ConvOutput.whole(out.channels(), true);
    }

    @Benchmark
    public float[] conv() {
        onTeam(team -> kernel.run(x, 1, y, null, to, team, scratch));
        return y;
    }
}
