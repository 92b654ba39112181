package io.vecnn.bench.report;

import io.vecnn.bench.run.LatencyStats;

import java.util.List;
import java.util.Map;

/**
 * Everything one {@code vecnn bench} run measured, as written by {@code --json} (snake_case keys; the schema
 * is {@code bench-result.schema.json} beside this class's resources, described in bench/README.md).
 */
public record BenchReport(
        String schema,
        String date,
        String command,
        MachineInfo machine,
        Settings settings,
        List<EngineInfo> engines,
        List<ConfigResult> results,
        List<ThroughputResult> throughput) {

    public static final String SCHEMA = "vecnn-bench/1";

    /** What the run was asked to do; {@code durationSeconds} is null when a fixed number of iterations ran. */
    public record Settings(
            List<String> models,
            List<Integer> batches,
            List<Integer> threads,
            int warmup,
            int iterations,
            Double durationSeconds,
            List<String> compare,
            double tolerance,
            int streams) {}

    public record EngineInfo(String name, String version) {}

    /**
     * One model at one batch size and thread count.
     *
     * @param gmacsPerImage  multiply-accumulates of convolutions and Linear layers per image, in billions
     * @param weightBytes    the model's weights as stored in its file
     * @param planHeapBytes  heap the execution plan added (packed and transformed weights), measured after GC
     * @param workspaceBytes feature maps and scratch one run at this batch size borrows
     * @param engines        VecNN first; peers only when the output check passed
     * @param layers         VecNN's per-layer profile, with ONNX Runtime's time for the same node where known
     */
    public record ConfigResult(
            String model,
            List<Integer> input,
            int batch,
            int threads,
            double gmacsPerImage,
            long weightBytes,
            long planHeapBytes,
            long workspaceBytes,
            Check check,
            List<EngineResult> engines,
            List<LayerTime> layers) {}

    /** Each peer's output against VecNN's on the same input; no speed is reported for a peer that fails. */
    public record Check(Map<String, Double> maxRelDiff, double tolerance, boolean passed) {}

    /**
     * @param firstRunMs                 the engine's first run after it opened the model for this configuration,
     *                                   before any warm-up: what the first request of a fresh deployment waits
     * @param vecnnSpeedup               for VecNN: null; for a peer: its p50 over VecNN's (above 1: VecNN is faster)
     * @param allocatedBytesPerInference Java heap allocated per run by the calling thread and the engine's pool
     */
    public record EngineResult(
            String engine,
            int runs,
            double firstRunMs,
            LatencyStats latencyMs,
            double imagesPerSecond,
            double gflops,
            long allocatedBytesPerInference,
            Double vecnnSpeedup) {}

    public record LayerTime(String layer, String step, double ms, double share, Double onnxruntimeMs) {}

    /** Throughput mode: {@code streams} callers sharing one model, each run using {@code threadsPerStream}. */
    public record ThroughputResult(
            String model,
            int streams,
            int threadsPerStream,
            int images,
            double seconds,
            double imagesPerSecond,
            LatencyStats latencyMs) {}
}
