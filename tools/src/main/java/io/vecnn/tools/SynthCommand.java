package io.vecnn.tools;

import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.torchfile.TorchZipWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "synth", description = "Write seeded random weights for an architecture in torch.save format.")
final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--arch",
            required = true,
            description = "architecture: ${COMPLETION-CANDIDATES}",
            completionCandidates = ArchitectureNames.class)
    String arch;

    @Option(names = "--out", required = true, description = "the .pth file to write")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--num-classes", description = "classifier outputs (default: the architecture's)")
    Integer numClasses;

    @Override
    public Integer call() {
        Architecture a = Architectures.get(arch);
        int classes = numClasses != null ? numClasses : a.defaultNumClasses();
        if (classes <= 0) {
            throw new ParameterException(spec.commandLine(), "--num-classes must be positive, got " + classes);
        }
        StateDict weights = SyntheticWeights.generate(a, seed, classes);
        TorchZipWriter.write(weights, out, a.moduleVersions());
        long values = weights.tensors().values().stream()
                .mapToLong(t -> t.data().length)
                .sum();
        System.out.printf(
                "wrote %s: %s, %d tensors, %,d values, seed %d%n", out, a.name(), weights.size(), values, seed);
        return 0;
    }
}
