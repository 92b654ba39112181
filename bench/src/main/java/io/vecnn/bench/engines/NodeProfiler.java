package io.vecnn.bench.engines;

import java.util.Map;

/** An engine that can report its own per-node times, for the bench's per-layer table beside VecNN's. */
public interface NodeProfiler {
    /** Mean microseconds per run of each node, keyed by node name, over {@code runs} profiled runs. */
    Map<String, Double> profileNodeMicros(float[] nchw, int batch, int runs);
}
