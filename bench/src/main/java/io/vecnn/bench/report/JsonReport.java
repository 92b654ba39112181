package io.vecnn.bench.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vecnn.modelfile.AtomicWrite;

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
}
