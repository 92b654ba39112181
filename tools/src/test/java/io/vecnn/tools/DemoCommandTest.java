package io.vecnn.tools;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.vecnn.tools.CliRun.vecnn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vecnn demo}: the whole path for one network, with its cold first run and its steady-state median. */
class DemoCommandTest {
    private static final Pattern ROW = Pattern.compile(
            "^lenet5 +3x32x32 +62,006 +[0-9.]+ +\\[1, 10\\] +([0-9.]+) ms +([0-9.]+) s[ *] +([0-9.]+) ms +([0-9.]+) .*",
            Pattern.MULTILINE);

    @Test
    void printsTheFirstRunAndTheMedianAfterWarmUp() {
        CliRun run = vecnn("demo", "--arch", "lenet5", "--runs", "3", "--warmup-seconds", "2");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("after Model.warmUp settled"), run.out());
        Matcher row = ROW.matcher(run.out());
        assertTrue(row.find(), run.out());
        double firstMs = Double.parseDouble(row.group(1));
        double warmupSeconds = Double.parseDouble(row.group(2));
        double p50Ms = Double.parseDouble(row.group(3));
        assertTrue(firstMs > 0 && p50Ms > 0, run.out());
        assertTrue(warmupSeconds <= 2.5, "the warm-up keeps to its budget: " + run.out());
        // images/s is 1000 / p50 before the p50 was rounded to the microsecond it is printed with.
        double imagesPerSecond = Double.parseDouble(row.group(4));
        assertTrue(
                imagesPerSecond >= 1000 / (p50Ms + 0.0005) - 0.1 && imagesPerSecond <= 1000 / (p50Ms - 0.0005) + 0.1,
                run.out());
    }
}
