package io.vecnn.converter.cli;

import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.safetensors.SafetensorsStateDicts;
import io.vecnn.converter.statedict.StateDict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "export", description = "Write the weights of any PyTorch file as a safetensors file.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--weights", required = true, description = "the PyTorch (or safetensors) file to read")
    Path weights;

    @Option(names = "--out", required = true, description = "the .safetensors file to write")
    Path out;

    @Override
    public Integer call() {
        StateDict sd;
        try (FileReadProgress progress = FileReadProgress.start(weights)) {
            sd = WeightFiles.read(weights, progress);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        // "pt" is what PyTorch-origin safetensors files declare, so other tools treat the keys as torch's.
        metadata.put("format", "pt");
        metadata.put("source", weights.getFileName().toString());
        metadata.put("source_format", sd.format().label());
        metadata.put("writer", "vecnn-weights-converter " + ModelConversion.CONVERTER_VERSION);
        SafetensorsStateDicts.write(sd, out, metadata);
        System.out.printf("wrote %s: %d tensors from a %s file%s%n", out, sd.size(), sd.format().label(),
                sd.prefix() == null ? "" : " (key prefix '" + sd.prefix() + "' stripped)");
        sd.notes().forEach(n -> System.out.println("  note: " + n));
        return 0;
    }
}
