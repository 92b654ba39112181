package io.vecnn.tools;

import io.vecnn.Shape;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.ArchitectureRecognition;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.arch.TransformInput;
import io.vecnn.converter.spec.NetworkSpec;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.graph.GraphStats;
import io.vecnn.modelfile.ModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "convert", description = "Convert a PyTorch state dict into a VecNN model file.")
final class ConvertCommand implements Callable<Integer> {
    private static final String AUTO = "auto";

    @Spec
    CommandSpec spec;

    @Option(names = "--weights", required = true, description = "the PyTorch file (torch.save of a state dict)")
    Path weights;

    @Option(
            names = "--arch",
            defaultValue = AUTO,
            completionCandidates = ArchitectureNames.class,
            description =
                    "architecture: auto (recognise it from the keys; the default) or one of ${COMPLETION-CANDIDATES}")
    String arch;

    @Option(
            names = "--spec",
            paramLabel = "NET.json",
            description = "a JSON spec of your own network (format: docs/spec.md) instead of a built-in --arch")
    Path specFile;

    @Option(names = "--out", required = true, description = "the model file to write (.vnn)")
    Path out;

    @Option(
            names = "--input-size",
            paramLabel = "CxHxW",
            converter = InputSizeConverter.class,
            description = "the input size the model file declares, e.g. 3x250x250 (default: the architecture's)")
    Shape inputSize;

    @Option(
            names = "--transform-input",
            negatable = true,
            description = "googlenet, inception_v3: re-map ImageNet-normalised input to the [-1, 1] the weights "
                    + "ported from TensorFlow expect, as torchvision's transform_input (default: on, as torchvision "
                    + "sets it for the published weights)")
    Boolean transformInput;

    @Override
    public Integer call() {
        if (specFile != null && !arch.equals(AUTO)) {
            throw new ParameterException(spec.commandLine(), "give either --arch or --spec, not both");
        }
        StateDict stateDict;
        try (FileReadProgress progress = FileReadProgress.start(weights)) {
            stateDict = WeightFiles.read(weights, progress);
        }
        Architecture a;
        String found;
        if (specFile != null) {
            a = NetworkSpec.read(specFile).architecture(stateDict);
            found = a.name() + ", from the spec " + specFile;
        } else if (arch.equals(AUTO)) {
            ArchitectureRecognition.Recognised recognised = ArchitectureRecognition.recognise(stateDict);
            a = recognised.architecture();
            found = recognised.summary();
        } else {
            a = Architectures.get(arch);
            found = a.name() + " (" + a.description() + "), as given by --arch";
        }
        if (transformInput != null) {
            if (!(a instanceof TransformInput t)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--" + (transformInput ? "" : "no-")
                                + "transform-input applies to googlenet and inception_v3, not " + a.name());
            }
            a = t.withTransformInput(transformInput);
        }
        Shape input = inputSize != null ? inputSize : a.defaultInput();
        ModelFile model = ModelConversion.convert(
                stateDict, a, input, weights.getFileName().toString());
        model.write(out);

        long stateValues = stateDict.tensors().values().stream()
                .mapToLong(t -> t.data().length)
                .sum();
        System.out.printf("%s: %d tensors, %,d values%n", weights, stateDict.size(), stateValues);
        System.out.println("  architecture: " + found);
        if (a instanceof TransformInput t) {
            System.out.println("  transform_input: " + describeTransform(t, model));
        }
        String skipped = model.provenance().get("skipped");
        if (skipped != null) {
            System.out.println("  skipped " + skipped);
        }
        stateDict.notes().forEach(n -> System.out.println("  note: " + n));
        GraphStats stats = GraphStats.of(model.graph(), model.weights(), input);
        System.out.printf(
                "wrote %s: %d layers, %,d parameters after folding, %.3f GMACs per image at %s, output %s%n",
                out,
                stats.layers(),
                stats.parameters(),
                stats.macs() / 1e9,
                input,
                model.graph().output());
        return 0;
    }

    private static String describeTransform(TransformInput t, ModelFile model) {
        if (!t.transformInput()) {
            return "off (--no-transform-input): inputs go to the first convolution as they are";
        }
        boolean kept = model.graph().nodes().stream().anyMatch(n -> n.name().equals("transform_input"));
        return "on, as torchvision sets it for the published weights; --no-transform-input turns it off ("
                + (kept
                        ? "kept as a channel_affine op: the first convolution pads, so folding would be wrong at the borders"
                        : "folded into the first convolution, which has no padding")
                + ")";
    }
}
