package io.vecnn.bench;

import io.vecnn.exec.parallel.Team;
import io.vecnn.exec.parallel.WorkerTeam;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;

/**
 * What the kernel benchmarks share: JMH's run settings and the threads their loops run on. Each timed call
 * runs on a {@link WorkerTeam}, as a layer does inside a plan run (helpers awake between the kernel's loops,
 * the leading thread working too), so a figure at two threads is what the kernel does in a network; with
 * {@link Team#of(ForkJoinPool)}, which hands every loop to parked workers, a two-loop kernel measured slower
 * at two threads than at one.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class TeamBenchmark {
    @Param({"1", "2"})
    public int threads;

    private ForkJoinPool workers;

    @Setup(Level.Trial)
    public void startTeam() {
        workers = new ForkJoinPool(threads);
    }

    @TearDown(Level.Trial)
    public void stopTeam() {
        workers.shutdown();
    }

    /** Runs {@code work} on a team of {@link #threads} threads (one: the calling thread). */
    protected void onTeam(Consumer<Team> work) {
        WorkerTeam.run(workers, work);
    }
}
