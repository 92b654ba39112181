package io.vecnn.bench.run;

import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.bench.GaussianArrays;
import io.vecnn.bench.report.BenchReport.ThroughputResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;

/**
 * How to spend N cores in a server: one stream of requests whose runs use N threads, or N concurrent streams
 * whose runs use one thread each, all sharing one model. The first gives the lowest latency per request; the
 * second usually the most images per second, since no layer waits for its slowest thread.
 */
public final class ThroughputRun {
    /** Long enough for a few hundred runs of ResNet-18 per mode, short enough to run for every model. */
    private static final double DEFAULT_SECONDS = 5;

    private final BenchSettings settings;
    private final BenchProgress progress;

    public ThroughputRun(BenchSettings settings, BenchProgress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public List<ThroughputResult> run(Subject subject) {
        int n = settings.streams();
        return List.of(measure(subject, 1, n), measure(subject, n, 1));
    }

    private ThroughputResult measure(Subject subject, int streams, int threadsPerStream) {
        progress.stage(subject.name() + ": " + streams + " stream(s) x " + threadsPerStream + " thread(s)");
        long budget = (long) ((settings.durationSeconds() > 0 ? settings.durationSeconds() : DEFAULT_SECONDS) * 1e9);
        try (RecordingPool pool = new RecordingPool(threadsPerStream);
                Model model = Model.of(subject.file(), pool.pool())) {
            model.plan(subject.input());
            System.gc();
            float[] x = GaussianArrays.of((int) subject.input().size(), new SplittableRandom(11));
            long[][] nanos = new long[streams][];
            int[] counts = new int[streams];
            CountDownLatch ready = new CountDownLatch(streams);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> callers = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            long[] deadline = new long[1];
            for (int s = 0; s < streams; s++) {
                int stream = s;
                Thread t = new Thread(
                        () -> {
                            try {
                                for (int r = 0; r < settings.warmup(); r++) {
                                    model.run(x, 1);
                                }
                                ready.countDown();
                                go.await();
                                long[] times = new long[1024];
                                int n = 0;
                                for (long now = System.nanoTime(); now < deadline[0]; ) {
                                    model.run(x, 1);
                                    long end = System.nanoTime();
                                    if (n == times.length) {
                                        times = Arrays.copyOf(times, 2 * n);
                                    }
                                    times[n++] = end - now;
                                    now = end;
                                }
                                nanos[stream] = times;
                                counts[stream] = n;
                            } catch (Throwable e) {
                                failures.add(e);
                                ready.countDown();
                            }
                        },
                        "vecnn-bench-stream-" + s);
                callers.add(t);
                t.start();
            }
            await(ready::await, "starting the throughput streams");
            long start = System.nanoTime();
            deadline[0] = start + budget;
            go.countDown();
            for (Thread t : callers) {
                await(t::join, "waiting for the throughput streams");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!failures.isEmpty()) {
                throw new VecnnException("a throughput stream failed: " + failures.get(0));
            }
            int images = Arrays.stream(counts).sum();
            long[] all = new long[images];
            for (int s = 0, at = 0; s < streams; at += counts[s], s++) {
                System.arraycopy(nanos[s], 0, all, at, counts[s]);
            }
            return new ThroughputResult(
                    subject.name(),
                    streams,
                    threadsPerStream,
                    images,
                    seconds,
                    images / seconds,
                    LatencyStats.of(all, images));
        }
    }

    /** A wait on the streams' threads or latches. */
    @FunctionalInterface
    private interface Wait {
        void run() throws InterruptedException;
    }

    /** Runs {@code wait}; an interrupt is kept for the caller and ends the run, naming what was awaited. */
    private static void await(Wait wait, String what) {
        try {
            wait.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecnnException("interrupted while " + what);
        }
    }
}
