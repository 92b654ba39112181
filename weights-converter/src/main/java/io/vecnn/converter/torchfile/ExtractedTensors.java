package io.vecnn.converter.torchfile;

import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.statedict.WeightFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tensors of a state dict, still as views of storages, in file order.
 *
 * @param tensors    key → tensor view
 * @param notes      what the extraction decided for the user to hear (e.g. checkpoint entries ignored)
 * @param wrapper    the checkpoint entry the tensors came from, or null when the file is the state dict itself
 * @param modelClass the class of the pickled model the tensors were taken from ({@code __main__.Net}), or
 *                   null when the file holds a state dict
 */
record ExtractedTensors(Map<String, TensorRef> tensors, List<String> notes, String wrapper, String modelClass) {

    /**
     * The state dict of a torch.save file in any {@code container}, its tensors read from {@code storages}. A
     * model pickled whole (torch.save(model)) is reported as such: its format is {@link WeightFormat#FULL_MODEL}
     * and a note says so. Notes come in order: the extraction's, the whole model's, {@code containerNotes},
     * then those of reading the tensors.
     */
    StateDict read(WeightFormat container, List<String> containerNotes, StorageBytes storages) {
        List<String> all = new ArrayList<>(notes);
        if (modelClass != null) {
            all.add("the file is a whole pickled model (torch.save(model)) of class " + modelClass + " in the "
                    + container.label() + " container; its parameters and persistent buffers were taken from the"
                    + " module tree by path, without running or importing its code");
        }
        all.addAll(containerNotes);
        Map<String, TorchTensor> read = StorageAssembly.materialize(tensors, storages, all);
        return new StateDict(read, all, modelClass != null ? WeightFormat.FULL_MODEL : container, wrapper, null);
    }
}
