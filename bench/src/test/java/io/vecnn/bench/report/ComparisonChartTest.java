package io.vecnn.bench.report;

import io.vecnn.bench.report.BenchReport.Check;
import io.vecnn.bench.report.BenchReport.ConfigResult;
import io.vecnn.bench.report.BenchReport.EngineResult;
import io.vecnn.bench.run.LatencyStats;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The grouped chart's bars: VecNN's p50 over each engine's in the same configuration. */
class ComparisonChartTest {
    @Test
    void barsAreSpeedsRelativeToVecnnInTheSameConfiguration() {
        ConfigResult c = config(engine("vecnn", 4.0), engine("onnxruntime", 3.0), engine("pytorch", 10.0));
        assertEquals(1.0, ComparisonChart.relativeSpeed(c, "vecnn"));
        assertEquals(4.0 / 3.0, ComparisonChart.relativeSpeed(c, "onnxruntime"));
        assertEquals(0.4, ComparisonChart.relativeSpeed(c, "pytorch"));
    }

    @Test
    void anEngineMissingFromAConfigurationGetsNoBar() {
        // A peer whose output check failed reports no speed for that configuration.
        ConfigResult c = config(engine("vecnn", 4.0));
        assertNull(ComparisonChart.relativeSpeed(c, "onnxruntime"));
    }

    private static ConfigResult config(EngineResult... engines) {
        return new ConfigResult(
                "resnet18",
                List.of(3, 224, 224),
                1,
                2,
                1.8,
                0,
                0,
                0,
                new Check(Map.of(), 5e-4, true),
                List.of(engines),
                List.of());
    }

    private static EngineResult engine(String name, double p50) {
        return new EngineResult(name, 3, p50, new LatencyStats(p50, p50, p50, p50, p50), 1000 / p50, 1, 0, null);
    }
}
