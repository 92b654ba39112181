package io.vecnn.tools;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/**
 * The commands' progress bar: ASCII, drawn only when there is a terminal, so logs and pipes never get
 * carriage returns. Without one every call does nothing, and the caller can tell by {@link #shown()}.
 */
public final class TerminalBar implements AutoCloseable {
    private final ProgressBar bar;

    private TerminalBar(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar that shows nothing, for work too short to be worth one. */
    public static TerminalBar none() {
        return new TerminalBar(null);
    }

    /**
     * @param max      planned units, or 0 when not known in advance (the bar then only counts)
     * @param unit     what the bar shows a unit as, e.g. "MB" or "runs"
     * @param unitSize how many of the units passed to {@link #advance} make one shown unit
     * @param out      the stream to draw on
     */
    public static TerminalBar start(String task, long max, String unit, long unitSize, PrintStream out) {
        if (System.console() == null) {
            return none();
        }
        return new TerminalBar(new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(max > 0 ? max : -1)
                .setUnit(" " + unit, unitSize)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .build());
    }

    public boolean shown() {
        return bar != null;
    }

    public void advance(long units) {
        if (bar != null) {
            bar.stepBy(units);
        }
    }

    /** Text shown after the bar, such as the current stage. */
    public void message(String text) {
        if (bar != null) {
            bar.setExtraMessage(text);
        }
    }

    /** Fills the bar when its length was known, so a finished task ends at 100%, and ends it. */
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
