package io.vecnn.bench;

import io.vecnn.exec.parallel.Team;
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

/**
 * What the kernel benchmarks share: JMH's run settings and the team their loops run on, one per thread count.
 * The kernels are called directly, outside a plan run, so the team is {@link Team#of(ForkJoinPool)}.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class TeamBenchmark {
    @Param({"1", "2"})
    public int threads;

    private ForkJoinPool workers;
    /** The team the benchmark's kernels run on. */
    protected Team team;

    @Setup(Level.Trial)
    public void startTeam() {
        workers = new ForkJoinPool(threads);
        team = Team.of(workers);
    }

    @TearDown(Level.Trial)
    public void stopTeam() {
        workers.shutdown();
    }
}
