package io.vecnn.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vecnn.VecnnException;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.safetensors.SafetensorsStateDicts;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.graph.GraphStats;
import io.vecnn.graph.Node;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.GraphCodec;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.modelfile.Safetensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(
        name = "inspect",
        description = "Name the format of a weight or model file and list its tensors " + "(and a model's graph).")
final class InspectCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Parameters(paramLabel = "FILE", description = "a PyTorch file (.pth/.pt), a safetensors file, or a .vnn model")
    Path file;

    @Option(names = "--json", description = "print the same as JSON")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (isModelFile(file)) {
            ModelFile model = ModelFile.read(file);
            if (json) {
                System.out.println(JSON.writeValueAsString(modelJson(model)));
            } else {
                printModel(model);
            }
        } else {
            StateDict sd;
            try (FileReadProgress progress = FileReadProgress.start(file)) {
                sd = WeightFiles.read(file, progress);
            }
            if (json) {
                System.out.println(JSON.writeValueAsString(stateDictJson(sd)));
            } else {
                printStateDict(sd);
            }
        }
        return 0;
    }

    private void printStateDict(StateDict sd) {
        System.out.printf(
                "%s: %s file, %d tensors%s%s%n",
                file,
                sd.format().label(),
                sd.size(),
                sd.wrapper() == null ? "" : ", taken from checkpoint entry '" + sd.wrapper() + "'",
                sd.prefix() == null ? "" : ", key prefix '" + sd.prefix() + "' stripped");
        for (Map.Entry<String, TorchTensor> e : sd.tensors().entrySet()) {
            System.out.printf(
                    "  %-48s %-9s %s%n",
                    e.getKey(), e.getValue().dtype(), e.getValue().shapeString());
        }
        sd.notes().forEach(n -> System.out.println("  note: " + n));
    }

    private Map<String, Object> stateDictJson(StateDict sd) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", file.toString());
        out.put("format", sd.format().label());
        out.put("wrapper", sd.wrapper());
        out.put("prefix", sd.prefix());
        out.put("notes", sd.notes());
        List<Map<String, Object>> tensors = new ArrayList<>();
        sd.tensors().forEach((k, t) -> tensors.add(tensorJson(k, t.dtype().name(), t.shape())));
        out.put("tensors", tensors);
        return out;
    }

    private void printModel(ModelFile model) {
        GraphStats stats =
                GraphStats.of(model.graph(), model.weights(), model.graph().inputShape());
        System.out.printf(
                "%s: VecNN model, input %s, %d layers, %,d parameters, %.3f GMACs per image%n",
                file, model.graph().inputShape(), stats.layers(), stats.parameters(), stats.macs() / 1e9);
        model.provenance().forEach((k, v) -> System.out.printf("  %s: %s%n", k, v));
        System.out.println("graph:");
        for (Node n : model.graph().nodes()) {
            System.out.printf("  %-28s %-20s <- %s%n", n.name(), n.op().kind(), String.join(", ", n.inputs()));
        }
        System.out.println("tensors:");
        for (Map.Entry<String, WeightTensor> e : model.weights().entrySet()) {
            System.out.printf(
                    "  %-48s F32 %s%n", e.getKey(), Arrays.toString(e.getValue().shape()));
        }
    }

    private Map<String, Object> modelJson(ModelFile model) throws IOException {
        GraphStats stats =
                GraphStats.of(model.graph(), model.weights(), model.graph().inputShape());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", file.toString());
        out.put("format", "vecnn");
        out.put("layers", stats.layers());
        out.put("parameters", stats.parameters());
        out.put("macs", stats.macs());
        out.put("provenance", model.provenance());
        out.put("labels", model.labels());
        out.put("graph", JSON.readTree(GraphCodec.toJson(model.graph())));
        List<Map<String, Object>> tensors = new ArrayList<>();
        model.weights().forEach((k, t) -> tensors.add(tensorJson(k, "FLOAT32", t.shape())));
        out.put("tensors", tensors);
        return out;
    }

    private static Map<String, Object> tensorJson(String key, String dtype, int[] shape) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("key", key);
        t.put("dtype", dtype);
        t.put("shape", shape);
        return t;
    }

    /** A VecNN model is a safetensors file whose metadata says so; other safetensors files hold plain weights. */
    private static boolean isModelFile(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(16);
            if (!SafetensorsStateDicts.looksLike(head, head.length)) {
                return false;
            }
        } catch (NoSuchFileException e) {
            throw new VecnnException("no such file: " + path);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + path + ": " + e.getMessage(), e);
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return ModelFile.FORMAT.equals(
                    Safetensors.readHeader(channel, path).metadata().get("format"));
        } catch (IOException e) {
            throw new VecnnException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
