package io.vecnn.converter;

import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.InputSizeException;
import io.vecnn.converter.arch.InputSizes;
import io.vecnn.converter.arch.NetworkBuilder;
import io.vecnn.converter.arch.StateDictSource;
import io.vecnn.converter.arch.TransformInput;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.modelfile.ModelFile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** State dict + architecture → model file: the key check, the layout work, and where it all came from. */
public final class ModelConversion {
    public static final String CONVERTER_VERSION = "0.1.0";

    private ModelConversion() {}

    /** Converts for the input size the architecture's published weights expect. */
    public static ModelFile convert(StateDict stateDict, Architecture arch, String source) {
        return convert(stateDict, arch, arch.defaultInput(), source);
    }

    /**
     * @param input  the input size the model file declares (it runs at other sizes too, where they fit)
     * @param source a description of where the state dict came from (its file name), kept as provenance
     * @throws VecnnException listing every missing, unexpected and mis-shaped key, or naming the layer an
     *                        input size that does not fit collapses at
     */
    public static ModelFile convert(StateDict stateDict, Architecture arch, Shape input, String source) {
        StateDictSource weights = new StateDictSource(stateDict);
        String checked = input.equals(arch.defaultInput()) ? arch.name() : arch.name() + " at input size " + input;
        NetworkBuilder.Built built;
        try {
            built = arch.build(weights, input, arch.defaultNumClasses());
        } catch (StateDictSource.CheckStopped e) {
            weights.verify(checked);
            throw new IllegalStateException("a stopped check always reports", e);
        } catch (InputSizeException e) {
            throw new VecnnException(
                    "input size " + input + " does not fit " + arch.name() + ": " + e.layerProblem()
                            + InputSizes.smallestSquare(arch)
                                    .map(s -> " (the smallest square input it takes is " + s + ")")
                                    .orElse(""),
                    e);
        }
        weights.verify(checked);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", source);
        provenance.put("architecture", arch.name());
        if (arch instanceof TransformInput t) {
            provenance.put("transform_input", String.valueOf(t.transformInput()));
        }
        if (!built.skipped().isEmpty()) {
            provenance.put("skipped", String.join(", ", built.skipped()) + ": training-only heads, not run");
        }
        provenance.put("converter", "vecnn-weights-converter " + CONVERTER_VERSION);
        if (!stateDict.notes().isEmpty()) {
            provenance.put("notes", String.join("; ", stateDict.notes()));
        }
        return new ModelFile(
                built.graph(), built.weights(), List.of(), provenance, "vecnn-weights-converter " + CONVERTER_VERSION);
    }
}
