package io.vecnn.bench.load;

import io.vecnn.bench.run.LatencyStats;

import java.util.Arrays;

/**
 * Latency of the successful requests, in milliseconds, from sending the request to the end of the answer:
 * bench's nearest-rank percentiles plus p99.9, which a load test has the samples for.
 */
public record LoadLatency(double p50, double p90, double p99, double p999, double max, double mean) {

    /** Sorts {@code nanos} in place. */
    static LoadLatency of(long[] nanos) {
        Arrays.sort(nanos);
        LatencyStats stats = LatencyStats.of(nanos, nanos.length);
        return new LoadLatency(
                stats.p50(),
                stats.p90(),
                stats.p99(),
                LatencyStats.nearestRank(nanos, 0.999) / 1e6,
                stats.max(),
                stats.mean());
    }
}
