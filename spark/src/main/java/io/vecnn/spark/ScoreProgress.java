package io.vecnn.spark;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The line {@code vecnn score} keeps up to date on stderr: rows scored, rows failed, images per second. The
 * counts arrive as Spark tasks finish, so the line moves a partition at a time.
 */
final class ScoreProgress implements AutoCloseable {
    private final RowCounters counters;
    private final PrintStream err;
    private final long start = System.nanoTime();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "vecnn-score-progress");
        thread.setDaemon(true);
        return thread;
    });

    ScoreProgress(RowCounters counters, PrintStream err) {
        this.counters = counters;
        this.err = err;
        ticker.scheduleAtFixedRate(() -> err.print("\r" + line()), 1, 1, TimeUnit.SECONDS);
    }

    String line() {
        long scored = counters.scored().value();
        long failed = counters.failed().value();
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        return String.format(
                Locale.ROOT, "scored %d, failed %d, %.1f images/s", scored, failed, (scored + failed) / seconds);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        err.println("\r" + line());
    }
}
