package io.vecnn.converter.cli;

import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.WeightFiles;
import io.vecnn.graph.GraphStats;
import io.vecnn.modelfile.ModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "convert", description = "Convert a PyTorch state dict into a VecNN model file.")
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--weights", required = true, description = "the PyTorch file (torch.save of a state dict)")
    Path weights;

    @Option(names = "--arch", required = true, description = "architecture: ${COMPLETION-CANDIDATES}",
            completionCandidates = ArchitectureNames.class)
    String arch;

    @Option(names = "--out", required = true, description = "the model file to write (.vnn)")
    Path out;

    @Override
    public Integer call() {
        Architecture a = Architectures.get(arch);
        StateDict stateDict = WeightFiles.read(weights);
        ModelFile model = ModelConversion.convert(stateDict, a, weights.getFileName().toString());
        model.write(out);
        GraphStats stats = GraphStats.of(model.graph(), model.weights(), model.graph().inputShape());
        long stateValues = stateDict.tensors().values().stream().mapToLong(t -> t.data().length).sum();
        System.out.printf("%s: %s, %d tensors, %,d values%n", weights, a.name(), stateDict.size(), stateValues);
        stateDict.notes().forEach(n -> System.out.println("  note: " + n));
        System.out.printf("wrote %s: %d layers, %,d parameters after folding, %.3f GMACs per image at %s, output %s%n",
                out, stats.layers(), stats.parameters(), stats.macs() / 1e9, model.graph().inputShape(),
                model.graph().output());
        return 0;
    }
}
