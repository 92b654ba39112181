package io.vecnn.bench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vecnn.tools.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vecnn bench} end to end on LeNet-5: what it writes, not how fast it is. */
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void writesJsonThatMatchesItsSchemaAndAChart() throws Exception {
        Path json = dir.resolve("out.json");
        Path chart = dir.resolve("out.png");
        Path panels = dir.resolve("panels.png");
        String stdout = benchLenet5(
                "--batch",
                "1,2",
                "--threads",
                "1",
                "--iterations",
                "3",
                "--layers",
                "--json",
                json.toString(),
                "--chart",
                chart.toString(),
                "--chart-panels",
                panels.toString(),
                "--markdown");

        JsonNode report = JSON.readTree(json.toFile());
        assertSchemaRequires(report, "/results/0", "check");
        assertEquals(2, report.get("results").size());
        for (JsonNode config : report.get("results")) {
            assertEquals("lenet5", config.get("model").asText());
            JsonNode vecnn = config.get("engines").get(0);
            assertEquals("vecnn", vecnn.get("engine").asText());
            assertEquals(3, vecnn.get("runs").asInt());
            assertTrue(vecnn.get("first_run_ms").asDouble() > 0, vecnn.toString());
            assertTrue(vecnn.get("latency_ms").get("p50").asDouble()
                    <= vecnn.get("latency_ms").get("max").asDouble());
            assertFalse(config.get("layers").isEmpty(), "--layers gives a per-layer profile");
        }
        assertEquals(1, report.get("results").get(1).get("batch").asInt() - 1);
        assertTrue(stdout.contains("| lenet5 | 3x32x32 | 2 | 1 |"), stdout);
        assertTrue(stdout.contains("per layer: lenet5 batch 1"), stdout);
        for (Path file : List.of(chart, panels)) {
            byte[] png = Files.readAllBytes(file);
            assertEquals((byte) 0x89, png[0], file.toString());
            assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII), file.toString());
        }

        // --render gives back the run's tables and charts from its JSON, measuring nothing.
        Path rendered = dir.resolve("rendered.png");
        assertEquals(stdout, runOk("bench", "--render", json.toString(), "--markdown", "--chart", rendered.toString()));
        assertArrayEquals(Files.readAllBytes(chart), Files.readAllBytes(rendered));
    }

    @Test
    void renderRefusesTheOptionsOfAMeasurement() {
        CliRun run = CliRun.vecnn("bench", "--render", "results.json", "--arch", "lenet5");
        assertEquals(2, run.exit(), run.text());
        assertTrue(run.err().contains("--render measures nothing"), run.err());
    }

    @Test
    void everyEngineReportsItsFirstRunAfterOpeningTheModel() throws Exception {
        Path json = dir.resolve("first.json");
        String stdout = benchLenet5(
                "--compare",
                "onnxruntime,pytorch",
                "--batch",
                "1,2",
                "--threads",
                "1",
                "--iterations",
                "2",
                "--json",
                json.toString(),
                "--markdown");

        JsonNode report = JSON.readTree(json.toFile());
        assertSchemaRequires(report, "/results/0/engines/1", "first_run_ms");
        assertEquals(2, report.get("results").size());
        for (JsonNode config : report.get("results")) {
            assertTrue(config.get("check").get("passed").asBoolean(), config.toString());
            Set<String> engines = new java.util.TreeSet<>();
            for (JsonNode engine : config.get("engines")) {
                engines.add(engine.get("engine").asText());
                assertTrue(engine.get("first_run_ms").asDouble() > 0, engine.toString());
            }
            assertEquals(Set.of("vecnn", "onnxruntime", "pytorch"), engines);
        }
        assertTrue(stdout.contains("1st run"), stdout);
        assertTrue(stdout.contains("| VecNN 1st run ms | onnxruntime 1st run ms | pytorch 1st run ms |"), stdout);
    }

    @Test
    void throughputModeReportsBothWaysOfUsingTheCores() throws Exception {
        Path json = dir.resolve("streams.json");
        benchLenet5(
                "--threads",
                "2",
                "--iterations",
                "2",
                "--streams",
                "2",
                "--duration",
                "0.2",
                "--json",
                json.toString());
        JsonNode report = JSON.readTree(json.toFile());
        assertEquals(Set.of(), schemaErrors(report));
        JsonNode modes = report.get("throughput");
        assertEquals(2, modes.size());
        assertEquals(1, modes.get(0).get("streams").asInt());
        assertEquals(2, modes.get(0).get("threads_per_stream").asInt());
        assertEquals(2, modes.get(1).get("streams").asInt());
        assertEquals(1, modes.get(1).get("threads_per_stream").asInt());
    }

    @Test
    void unknownPeerIsAUsageErrorBeforeAnyWork() {
        CliRun run = CliRun.vecnn("bench", "--arch", "lenet5", "--compare", "tensorflow");
        assertEquals(2, run.exit(), run.text());
        assertTrue(run.err().contains("unknown engine 'tensorflow'"), run.err());
    }

    /** The report passes the schema, and fails it without {@code field} of the object at {@code pointer}. */
    private static void assertSchemaRequires(JsonNode report, String pointer, String field) throws Exception {
        assertEquals(Set.of(), schemaErrors(report));
        JsonNode damaged = report.deepCopy();
        ((ObjectNode) damaged.at(pointer)).remove(field);
        assertFalse(schemaErrors(damaged).isEmpty(), "the schema rejects " + pointer + " without " + field);
    }

    /** {@code vecnn bench} on LeNet-5 with one warm-up run and {@code options}; its standard output. */
    private static String benchLenet5(String... options) {
        List<String> args = new ArrayList<>(List.of("bench", "--arch", "lenet5", "--warmup", "1"));
        args.addAll(List.of(options));
        return runOk(args.toArray(String[]::new));
    }

    private static Set<ValidationMessage> schemaErrors(JsonNode report) throws Exception {
        try (InputStream schemaFile =
                BenchCommandTest.class.getResourceAsStream("/io/vecnn/bench/report/bench-result.schema.json")) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(schemaFile);
            return schema.validate(report);
        }
    }

    private static String runOk(String... args) {
        CliRun run = CliRun.vecnn((Object[]) args);
        assertEquals(0, run.exit(), run.text());
        return run.out();
    }
}
