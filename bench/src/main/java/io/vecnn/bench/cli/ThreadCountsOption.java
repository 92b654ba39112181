package io.vecnn.bench.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.util.List;

/**
 * {@code --threads N,...} of {@code bench} and {@code loadtest}, as a picocli mixin: both run every thread count
 * given, and both default to the machine's processors, so the option, its default and its check live here once.
 */
final class ThreadCountsOption {
    @Option(
            names = "--threads",
            split = ",",
            paramLabel = "N",
            description = "intra-op thread counts, comma-separated (default: the available processors)")
    List<Integer> given;

    /** The counts given, each checked to be positive, or the available processors. */
    List<Integer> counts(CommandSpec spec) {
        if (given == null) {
            return List.of(Runtime.getRuntime().availableProcessors());
        }
        for (int t : given) {
            if (t <= 0) {
                throw new ParameterException(spec.commandLine(), "--threads must be positive, got " + t);
            }
        }
        return given;
    }
}
