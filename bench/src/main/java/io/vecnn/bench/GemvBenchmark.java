package io.vecnn.bench;

import io.vecnn.kernels.Epilogue;
import io.vecnn.kernels.Gemm;
import io.vecnn.kernels.PackedMatrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
 * Batch-1 Linear layers, the memory-bound case: each run streams the whole packed weight once, split by
 * panels over the threads as the plan's Linear step does. In runs per second; JMH also prints
 * {@code gemv:gbytes}, the weight GB/s read, to hold against the machine's memory bandwidth.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GemvBenchmark extends TeamBenchmark {
    /** Same split as the plan's Linear step. */
    private static final int PANELS_PER_TASK = 2;

    private static final int LANES = FloatVector.SPECIES_PREFERRED.length();
    /** Pieces of the streaming read: enough for the threads to balance, few enough to cost nothing. */
    private static final int STREAM_TASKS = 64;

    /** {@code in x out}: VGG16 fc6 and fc7, AlexNet fc6, ResNet-50's classifier. */
    @Param({"25088x4096", "4096x4096", "9216x4096", "2048x1000"})
    public String shape;

    private PackedMatrix weight;
    private float[] x;
    private float[] y;
    private double gbytesPerRun;

    /** Weight bytes streamed, which JMH reports as a rate per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Traffic {
        public double gbytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        int in = Integer.parseInt(dims[0]);
        int out = Integer.parseInt(dims[1]);
        SplittableRandom r = new SplittableRandom(5);
        float[] w = GaussianArrays.of(in * out, r);
        weight = PackedMatrix.pack(w, 0, out, in, Gemm.panelWidthFor(out));
        x = GaussianArrays.of(in, r);
        y = new float[out];
        gbytesPerRun = (double) weight.data().length * Float.BYTES / 1e9;
    }

    @Benchmark
    public float[] gemv(Traffic traffic) {
        int panels = weight.panels();
        int tasks = (panels + PANELS_PER_TASK - 1) / PANELS_PER_TASK;
        onTeam(team -> team.parallelFor(
                tasks,
                t -> Gemm.block(
                        x,
                        0,
                        weight.k(),
                        1,
                        weight,
                        t * PANELS_PER_TASK,
                        Math.min(panels, (t + 1) * PANELS_PER_TASK),
                        y,
                        0,
                        weight.n(),
                        0,
                        Epilogue.NONE)));
        traffic.gbytes += gbytesPerRun;
        return y;
    }

    /**
     * The yardstick for {@link #gemv}: the same packed weight read once by the same threads with nothing but
     * vector adds, split into as many tasks. GEMV's {@code gbytes} rate close to this one means the Linear
     * layer runs at the machine's streaming bandwidth and only fewer bytes (not faster kernels) would help.
     */
    @Benchmark
    public float streamRead(Traffic traffic) {
        float[] w = weight.data();
        int tasks = STREAM_TASKS;
        float[] sums = new float[tasks];
        onTeam(team -> team.parallelFor(tasks, t -> {
            int from = (int) ((long) w.length * t / tasks) / LANES * LANES;
            int to = (int) ((long) w.length * (t + 1) / tasks) / LANES * LANES;
            FloatVector a0 = FloatVector.zero(FloatVector.SPECIES_PREFERRED);
            FloatVector a1 = a0;
            for (int i = from; i + 2 * LANES <= to; i += 2 * LANES) {
                a0 = a0.add(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, w, i));
                a1 = a1.add(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, w, i + LANES));
            }
            sums[t] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        }));
        traffic.gbytes += gbytesPerRun;
        float total = 0;
        for (float v : sums) {
            total += v;
        }
        return total;
    }
}
