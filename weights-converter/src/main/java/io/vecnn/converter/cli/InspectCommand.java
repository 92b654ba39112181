package io.vecnn.converter.cli;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.WeightFiles;
import io.vecnn.graph.GraphStats;
import io.vecnn.graph.Node;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "inspect", description = "List the tensors of a PyTorch file, or the graph and tensors of a model file.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "a .pth/.pt file or a .vnn model file")
    Path file;

    @Override
    public Integer call() {
        if (isSafetensors(file)) {
            printModel(ModelFile.read(file));
        } else {
            printStateDict(WeightFiles.read(file));
        }
        return 0;
    }

    private void printStateDict(StateDict sd) {
        System.out.printf("%s: PyTorch state dict, %d tensors%n", file, sd.size());
        for (Map.Entry<String, TorchTensor> e : sd.tensors().entrySet()) {
            System.out.printf("  %-48s %-9s %s%n", e.getKey(), e.getValue().dtype(), e.getValue().shapeString());
        }
        sd.notes().forEach(n -> System.out.println("  note: " + n));
    }

    private void printModel(ModelFile model) {
        GraphStats stats = GraphStats.of(model.graph(), model.weights(), model.graph().inputShape());
        System.out.printf("%s: VecNN model, input %s, %d layers, %,d parameters, %.3f GMACs per image%n",
                file, model.graph().inputShape(), stats.layers(), stats.parameters(), stats.macs() / 1e9);
        model.provenance().forEach((k, v) -> System.out.printf("  %s: %s%n", k, v));
        System.out.println("graph:");
        for (Node n : model.graph().nodes()) {
            System.out.printf("  %-28s %-20s <- %s%n", n.name(), n.op().kind(), String.join(", ", n.inputs()));
        }
        System.out.println("tensors:");
        for (Map.Entry<String, WeightTensor> e : model.weights().entrySet()) {
            System.out.printf("  %-48s F32 %s%n", e.getKey(), Arrays.toString(e.getValue().shape()));
        }
    }

    /** A safetensors file starts with a small little-endian header length followed by '{'. */
    private static boolean isSafetensors(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(9);
            return head.length == 9 && head[8] == '{' && head[7] == 0 && head[6] == 0 && head[5] == 0;
        } catch (NoSuchFileException e) {
            throw new VecnnException("file not found: " + path);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
