package io.vecnn.bench.cli;

import io.vecnn.bench.run.BenchProgress;
import io.vecnn.tools.TerminalBar;

/**
 * The bench's progress: a bar on stdout when it is a terminal (stderr goes through the launcher's filter,
 * which would hold back the bar's carriage returns), otherwise one line per stage on stderr for logs.
 */
final class ConsoleBenchProgress implements BenchProgress, AutoCloseable {
    private final String task;
    private final TerminalBar bar;

    private ConsoleBenchProgress(String task, TerminalBar bar) {
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
        return new ConsoleBenchProgress(task, TerminalBar.start(task, units, unit, 1, System.out));
    }

    @Override
    public void stage(String message) {
        if (bar.shown()) {
            bar.message(message);
        } else {
            System.err.println(task + ": " + message);
        }
    }

    @Override
    public void advance(long units) {
        bar.advance(units);
    }

    @Override
    public void close() {
        bar.close();
    }
}
