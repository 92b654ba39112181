package io.vecnn.converter.torchfile;

import io.vecnn.converter.statedict.WeightFormat;

import java.util.List;

/** How a model pickled whole (torch.save(model)) is reported, whatever container holds it. */
final class FullModels {

    private FullModels() {}

    /** {@link WeightFormat#FULL_MODEL} when the tensors came from a pickled model, else the container's format. */
    static WeightFormat format(ExtractedTensors extracted, WeightFormat container) {
        return extracted.modelClass() != null ? WeightFormat.FULL_MODEL : container;
    }

    static List<String> notes(ExtractedTensors extracted, String container) {
        if (extracted.modelClass() == null) {
            return List.of();
        }
        return List.of("the file is a whole pickled model (torch.save(model)) of class " + extracted.modelClass()
                + " in the " + container + " container; its parameters and persistent buffers were taken from the"
                + " module tree by path, without running or importing its code");
    }
}
