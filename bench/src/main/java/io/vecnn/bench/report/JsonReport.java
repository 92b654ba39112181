package io.vecnn.bench.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vecnn.VecnnException;
import io.vecnn.modelfile.AtomicWrite;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a report record as JSON with snake_case keys: a {@link BenchReport} in the form
 * {@code bench-result.schema.json} describes, or the load test's {@code LoadReport}.
 */
public final class JsonReport {
    /** AtomicWrite flushes, syncs and closes the stream itself, after Jackson is done with it. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private JsonReport() {}

    public static void write(Record report, Path file) {
        AtomicWrite.write(file, out -> MAPPER.writeValue(out, report));
    }

    /** A bench report {@link #write} wrote, so that its tables and charts can be made again without measuring. */
    public static BenchReport readBench(Path file) {
        BenchReport report;
        try {
            report = MAPPER.readValue(file.toFile(), BenchReport.class);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + file + " as a bench report: " + e.getMessage(), e);
        }
        if (!BenchReport.SCHEMA.equals(report.schema())) {
            throw new VecnnException(file + " is a '" + report.schema() + "' report, not " + BenchReport.SCHEMA);
        }
        return report;
    }
}
