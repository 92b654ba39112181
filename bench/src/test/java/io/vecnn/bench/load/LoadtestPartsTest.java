package io.vecnn.bench.load;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The load test's pieces that need no server: metrics parsing and percentiles. */
class LoadtestPartsTest {

    @Test
    void batchCounterReadsOnlyItsModelsSeries() {
        String exposition = """
                # TYPE vecnn_batch_size histogram
                vecnn_batch_size_bucket{model="a",le="1"} 3
                vecnn_batch_size_sum{model="a"} 20
                vecnn_batch_size_count{model="a"} 5
                vecnn_batch_size_sum{model="ab"} 99
                vecnn_batch_size_count{model="ab"} 9
                """;
        BatchCounter before = new BatchCounter(4, 1);
        BatchCounter after = BatchCounter.parse(exposition, "a");
        assertEquals(new BatchCounter(20, 5), after);
        assertEquals(4, after.batchesSince(before));
        assertEquals(4.0, after.meanBatchSince(before), 1e-12);
        assertNull(after.meanBatchSince(after));
        assertEquals(new BatchCounter(0, 0), BatchCounter.parse("# TYPE vecnn_batch_size histogram\n", "a"));
    }

    @Test
    void latencyHasNearestRankPercentilesUpToP999() {
        long[] nanos = new long[2000];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (nanos.length - i) * 1_000_000L;
        }
        LoadLatency l = LoadLatency.of(nanos);
        assertEquals(1000, l.p50(), 1e-9);
        assertEquals(1980, l.p99(), 1e-9);
        assertEquals(1998, l.p999(), 1e-9);
        assertEquals(2000, l.max(), 1e-9);
    }

    @Test
    void settingsTakeADurationOrARequestCount() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new LoadSettings(
                        1, Duration.ZERO, Duration.ofSeconds(1), 5, Payload.V2_JSON, 1, Duration.ofSeconds(1)));
        assertEquals(
                3,
                new LoadSettings(
                                1,
                                Duration.ofSeconds(2),
                                Duration.ofMillis(500),
                                0,
                                Payload.NPY,
                                1,
                                Duration.ofSeconds(1))
                        .progressUnits());
        assertEquals(Payload.V2_BINARY, Payload.of("v2-binary"));
    }
}
