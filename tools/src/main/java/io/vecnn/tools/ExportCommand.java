package io.vecnn.tools;

import io.vecnn.Shape;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.onnx.OnnxExport;
import io.vecnn.converter.safetensors.SafetensorsStateDicts;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.modelfile.ModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(
        name = "export",
        description = {
            "Write the weights of any PyTorch file as a safetensors file (--format safetensors --weights X.pth),",
            "or a VecNN model as an ONNX model (--format onnx --model M.vnn)."
        })
final class ExportCommand implements Callable<Integer> {
    enum Format {
        safetensors,
        onnx
    }

    @Spec
    CommandSpec spec;

    @Option(
            names = "--format",
            defaultValue = "safetensors",
            description = "what to write: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--weights", description = "the PyTorch (or safetensors) file to read, for --format safetensors")
    Path weights;

    @Option(names = "--model", description = "the VecNN model (.vnn) to read, for --format onnx")
    Path model;

    @Option(names = "--out", required = true, description = "the .safetensors or .onnx file to write")
    Path out;

    @Override
    public Integer call() {
        Path input = format == Format.onnx ? model : weights;
        Path other = format == Format.onnx ? weights : model;
        String wanted = format == Format.onnx ? "--model" : "--weights";
        if (input == null || other != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--format " + format + " reads " + wanted
                            + " (and only it): export --format safetensors --weights X.pth --out X.safetensors, or"
                            + " export --format onnx --model M.vnn --out M.onnx");
        }
        return format == Format.onnx ? exportOnnx() : exportSafetensors();
    }

    private int exportOnnx() {
        ModelFile file = ModelFile.read(model);
        OnnxExport.write(file.graph(), file.weights(), out);
        Shape in = file.graph().inputShape();
        System.out.printf(
                "wrote %s: ONNX opset %d, input 'input' [batch, %d, %d, %d], output 'output'%n",
                out, OnnxExport.OPSET, in.channels(), in.height(), in.width());
        return 0;
    }

    private int exportSafetensors() {
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
        System.out.printf(
                "wrote %s: %d tensors from a %s file%s%n",
                out,
                sd.size(),
                sd.format().label(),
                sd.prefix() == null ? "" : " (key prefix '" + sd.prefix() + "' stripped)");
        sd.notes().forEach(n -> System.out.println("  note: " + n));
        return 0;
    }
}
