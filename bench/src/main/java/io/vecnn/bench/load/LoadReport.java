package io.vecnn.bench.load;

import io.vecnn.bench.report.MachineInfo;

import java.util.List;

/**
 * Everything one {@code vecnn loadtest} run measured, as written by {@code --json} with snake_case keys
 * (the fields are listed in bench/README.md).
 */
public record LoadReport(
        String schema,
        String date,
        String command,
        MachineInfo machine,
        Target target,
        Settings settings,
        List<LoadResult> results) {

    public static final String SCHEMA = "vecnn-loadtest/1";

    /**
     * @param url       the server's address; for {@code --serve}, the first in-process server's
     * @param model     the model's name on the server
     * @param input     channels, height and width of one image
     * @param modelFile the file {@code --serve} loaded; null for a server at a URL
     */
    public record Target(String url, String model, List<Integer> input, String modelFile) {}

    /** {@code durationSeconds} is null when a request count decided, {@code requests} null when a duration did. */
    public record Settings(
            int clients,
            double warmupSeconds,
            Double durationSeconds,
            Long requests,
            String payload,
            int imagesPerRequest,
            double timeoutSeconds) {

        public static Settings of(LoadSettings s) {
            return new Settings(
                    s.clients(),
                    s.warmup().toMillis() / 1e3,
                    s.duration() != null ? s.duration().toMillis() / 1e3 : null,
                    s.duration() == null ? s.requests() : null,
                    s.payload().cliName(),
                    s.images(),
                    s.timeout().toMillis() / 1e3);
        }
    }
}
