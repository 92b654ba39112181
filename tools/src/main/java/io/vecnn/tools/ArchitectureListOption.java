package io.vecnn.tools;

import io.vecnn.converter.arch.Architectures;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.util.List;

/**
 * {@code --arch NAME,...} of the commands that run several built-in architectures ({@code demo}, {@code bench}),
 * as a picocli mixin: one option text, one default set and one check of the names for all of them.
 */
public final class ArchitectureListOption {
    /** One per family at its default input size, plus ResNet-50 (the bottleneck variant). */
    public static final List<String> ONE_PER_FAMILY =
            List.of("lenet5", "alexnet", "vgg16", "googlenet", "resnet18", "resnet50", "inception_v3");

    @Option(
            names = "--arch",
            split = ",",
            paramLabel = "NAME",
            completionCandidates = ArchitectureNames.class,
            description = "built-in architectures to run, comma-separated (default: one per family, "
                    + "lenet5,alexnet,vgg16,googlenet,resnet18,resnet50,inception_v3; "
                    + "bench given --model: none); any of ${COMPLETION-CANDIDATES}")
    List<String> names;

    /** The names given, or {@code otherwise} when {@code --arch} was not. */
    public List<String> namesOr(List<String> otherwise) {
        return names != null ? names : otherwise;
    }

    /** Refuses a name that is not built in as a usage error, before any work starts. */
    public void check(CommandSpec spec) {
        for (String name : namesOr(List.of())) {
            if (!Architectures.names().contains(name)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--arch: unknown architecture '" + name + "'; choose from "
                                + String.join(", ", Architectures.names()));
            }
        }
    }
}
