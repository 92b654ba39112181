package io.vecnn.bench.run;

import java.util.List;

/**
 * How to time each configuration.
 *
 * @param warmup          untimed runs per engine before timing (JIT, autotuning, libtorch's allocator)
 * @param iterations      timed runs per engine, used when {@code durationSeconds} is 0
 * @param durationSeconds timed seconds per engine per configuration instead of a fixed count (0: off)
 * @param peers           the peer engines to run beside VecNN
 * @param tolerance       largest max-relative output difference to VecNN for which a peer's speed is reported
 * @param layers          also profile VecNN per layer (and ONNX Runtime per node when it is a peer)
 * @param streams         throughput mode: compare this many 1-thread streams with one stream of this many threads (0: off)
 */
public record BenchSettings(
        List<Integer> batches,
        List<Integer> threads,
        int warmup,
        int iterations,
        double durationSeconds,
        List<String> peers,
        double tolerance,
        boolean layers,
        int streams) {

    /** Runs taken for the per-layer profile: enough to average out scheduling noise, few enough for VGG16. */
    static final int PROFILE_RUNS = 10;
}
