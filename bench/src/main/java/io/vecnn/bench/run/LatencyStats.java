package io.vecnn.bench.run;

import java.util.Arrays;

/**
 * Latency percentiles of a series of timed runs, in milliseconds, by the nearest-rank rule (the p99 of
 * 30 runs is the slowest run but none: with few runs the tail percentiles are the top samples, not
 * interpolations between them).
 */
public record LatencyStats(double p50, double p90, double p99, double max, double mean) {

    public static LatencyStats of(long[] nanos, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("no timed runs");
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        double sum = 0;
        for (long t : sorted) {
            sum += t;
        }
        return new LatencyStats(
                ms(nearestRank(sorted, 0.50)),
                ms(nearestRank(sorted, 0.90)),
                ms(nearestRank(sorted, 0.99)),
                ms(sorted[count - 1]),
                sum / count / 1e6);
    }

    /** The {@code p} quantile (0–1) of ascending {@code sorted} by the same nearest-rank rule, for other cut-offs. */
    public static long nearestRank(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
