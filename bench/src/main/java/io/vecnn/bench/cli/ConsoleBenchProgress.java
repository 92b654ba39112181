package io.vecnn.bench.cli;

import io.vecnn.bench.run.BenchProgress;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The bench's progress: a bar on stdout when it is a terminal (stderr goes through the launcher's filter,
 * which would hold back the bar's carriage returns), otherwise one line per stage on stderr for logs.
 */
final class ConsoleBenchProgress implements BenchProgress, AutoCloseable {
    private final String task;
    private final ProgressBar bar;

    private ConsoleBenchProgress(String task, ProgressBar bar) {
        this.task = task;
        this.bar = bar;
    }

    /** @param runs planned engine runs, or 0 when not known in advance (duration mode) */
    static ConsoleBenchProgress start(long runs) {
        return start("bench", runs, "runs");
    }

    /**
     * @param task  the command, which names the bar and prefixes the log lines
     * @param units planned units of work, or 0 when not known in advance
     * @param unit  what a unit is, e.g. "runs" or "s"
     */
    static ConsoleBenchProgress start(String task, long units, String unit) {
        if (System.console() == null) {
            return new ConsoleBenchProgress(task, null);
        }
        return new ConsoleBenchProgress(
                task,
                new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(units > 0 ? units : -1)
                        .setUnit(" " + unit, 1)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(System.out))
                        .build());
    }

    @Override
    public void stage(String message) {
        if (bar != null) {
            bar.setExtraMessage(message);
        } else {
            System.err.println(task + ": " + message);
        }
    }

    @Override
    public void advance(long units) {
        if (bar != null) {
            bar.stepBy(units);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            if (bar.getMax() > 0) {
                bar.stepTo(bar.getMax());
            }
            bar.close();
        }
    }
}
