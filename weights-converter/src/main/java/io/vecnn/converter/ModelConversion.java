package io.vecnn.converter;

import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.NetworkBuilder;
import io.vecnn.converter.arch.StateDictSource;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.modelfile.ModelFile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** State dict + architecture → model file: the key check, the layout work, and where it all came from. */
public final class ModelConversion {
    public static final String CONVERTER_VERSION = "0.1.0";

    private ModelConversion() {
    }

    /**
     * @param source a description of where the state dict came from (its file name), kept as provenance
     * @throws io.vecnn.VecnnException listing every missing, unexpected and mis-shaped key
     */
    public static ModelFile convert(StateDict stateDict, Architecture arch, String source) {
        StateDictSource weights = new StateDictSource(stateDict);
        NetworkBuilder.Built built = arch.build(weights, arch.defaultInput(), arch.defaultNumClasses());
        weights.verify(arch.name());
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("source", source);
        provenance.put("architecture", arch.name());
        provenance.put("converter", "vecnn-weights-converter " + CONVERTER_VERSION);
        if (!stateDict.notes().isEmpty()) {
            provenance.put("notes", String.join("; ", stateDict.notes()));
        }
        return new ModelFile(built.graph(), built.weights(), List.of(), provenance);
    }
}
