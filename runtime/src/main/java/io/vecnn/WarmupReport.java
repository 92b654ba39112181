package io.vecnn;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What {@link Model#warmUp(Duration, int...)} did: per batch size, how many runs, for how long, whether the
 * run time settled before the budget ran out, and the median run time it settled at.
 *
 * @param batches one entry per batch size warmed, smallest first
 * @param elapsed the whole warm-up's wall time
 * @param budget  the time it was allowed
 */
public record WarmupReport(List<Batch> batches, Duration elapsed, Duration budget) {

    /**
     * One batch size's warm-up.
     *
     * @param size    images per run
     * @param runs    runs done (a run the budget cut short between two layers is not counted)
     * @param elapsed wall time spent on this batch size
     * @param settled true when the run time stopped improving; false when the budget ran out first (or the
     *                warming thread was interrupted)
     * @param median  median run time of the last window of runs: the settled time when {@code settled}, else
     *                the latest seen; zero when no run finished
     */
    public record Batch(int size, int runs, Duration elapsed, boolean settled, Duration median) {}

    public WarmupReport {
        batches = List.copyOf(batches);
    }

    /** The batch sizes warmed, smallest first. */
    public List<Integer> batchSizes() {
        return batches.stream().map(Batch::size).toList();
    }

    /** Runs done over all batch sizes. */
    public int runs() {
        return batches.stream().mapToInt(Batch::runs).sum();
    }

    /** Whether every batch size settled; false also when there was nothing to warm within a zero budget. */
    public boolean settled() {
        return !batches.isEmpty() && batches.stream().allMatch(Batch::settled);
    }

    /** One line for a log: {@code batch 1 settled at 8.12 ms (85 runs), batch 8 ... ; 2.31 s of 30 s}. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        for (Batch b : batches) {
            if (!s.isEmpty()) {
                s.append(", ");
            }
            s.append(String.format(
                    Locale.ROOT,
                    "batch %d %s %.2f ms (%d runs)",
                    b.size(),
                    b.settled() ? "settled at" : "unsettled at",
                    b.median().toNanos() / 1e6,
                    b.runs()));
        }
        return s.append(String.format(
                        Locale.ROOT, "; %.2f s of %.0f s", elapsed.toNanos() / 1e9, budget.toNanos() / 1e9))
                .toString();
    }
}
