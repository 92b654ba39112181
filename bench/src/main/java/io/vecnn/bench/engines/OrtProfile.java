package io.vecnn.bench.engines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.VecnnException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the profile ONNX Runtime writes (a Chrome trace: a JSON array of events with {@code cat},
 * {@code name}, {@code ts} and {@code dur} in microseconds). Each forward pass is a {@code model_run}
 * session event; each node's compute inside it is a {@code Node} event named {@code <node>_kernel_time}.
 */
final class OrtProfile {
    private static final String KERNEL_SUFFIX = "_kernel_time";

    private record Interval(long start, long end) {
        boolean contains(long ts) {
            return ts >= start && ts <= end;
        }
    }

    private OrtProfile() {}

    /**
     * @param warmUpRuns how many of the first forward passes to leave out (their timings include one-time
     *                   allocations)
     * @return the mean kernel time per counted forward pass of each node, in microseconds, in the order
     *         the nodes first ran
     */
    static Map<String, Double> meanKernelMicros(Path profile, int warmUpRuns) {
        JsonNode events;
        try {
            events = new ObjectMapper().readTree(profile.toFile());
        } catch (IOException e) {
            throw new VecnnException("cannot read the ONNX Runtime profile " + profile + ": " + e.getMessage(), e);
        }
        List<Interval> runs = new ArrayList<>();
        for (JsonNode e : events) {
            if ("Session".equals(e.path("cat").asText())
                    && "model_run".equals(e.path("name").asText())) {
                long ts = e.path("ts").asLong();
                runs.add(new Interval(ts, ts + e.path("dur").asLong()));
            }
        }
        runs.sort(Comparator.comparingLong(Interval::start));
        List<Interval> counted = runs.subList(Math.min(warmUpRuns, runs.size()), runs.size());
        if (counted.isEmpty()) {
            throw new VecnnException("the ONNX Runtime profile " + profile + " has no forward pass after the "
                    + warmUpRuns + " warm-up run(s)");
        }
        Map<String, Double> total = new LinkedHashMap<>();
        for (JsonNode e : events) {
            String name = e.path("name").asText();
            long ts = e.path("ts").asLong();
            if ("Node".equals(e.path("cat").asText())
                    && name.endsWith(KERNEL_SUFFIX)
                    && counted.stream().anyMatch(r -> r.contains(ts))) {
                total.merge(
                        name.substring(0, name.length() - KERNEL_SUFFIX.length()),
                        e.path("dur").asDouble(),
                        Double::sum);
            }
        }
        total.replaceAll((node, micros) -> micros / counted.size());
        return total;
    }
}
