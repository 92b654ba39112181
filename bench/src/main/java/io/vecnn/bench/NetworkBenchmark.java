package io.vecnn.bench;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.synth.SyntheticWeights;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/** End to end: one forward pass of a built-in architecture with synthetic weights, per batch size and thread count. */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class NetworkBenchmark {
    @Param({"lenet5", "alexnet", "vgg16", "googlenet", "resnet18", "resnet50", "inception_v3"})
    public String arch;

    @Param({"1", "8"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private Model model;
    private Tensor input;
    private ForkJoinPool pool;

    @Setup(Level.Trial)
    public void setUp() {
        Architecture a = Architectures.get(arch);
        pool = new ForkJoinPool(threads);
        model = Model.of(
                ModelConversion.convert(SyntheticWeights.generate(a, 1, a.defaultNumClasses()), a, "synth"), pool);
        Shape s = a.defaultInput();
        float[] x = GaussianArrays.of((int) (batch * s.size()), new SplittableRandom(2));
        input = new Tensor(batch, s.height(), s.width(), s.channels(), x);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
        pool.shutdown();
    }

    @Benchmark
    public Tensor forward() {
        return model.run(input);
    }
}
