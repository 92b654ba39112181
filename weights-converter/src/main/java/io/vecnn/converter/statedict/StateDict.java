package io.vecnn.converter.statedict;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The name → tensor map PyTorch's {@code model.state_dict()} returns, in file order, with what the
 * reader learnt about where it came from.
 *
 * @param tensors the tensors by key, in the order they appear in the file
 * @param notes   what the reader noticed and the user should hear (dtype widening, ignored entries)
 * @param format  the file format it was read from
 * @param wrapper the checkpoint entry the tensors were taken from ({@code state_dict}, {@code model}...), or null
 * @param prefix  the key prefix that was stripped ({@code module.} of DataParallel...), or null
 */
public record StateDict(
        Map<String, TorchTensor> tensors, List<String> notes, WeightFormat format, String wrapper, String prefix) {

    public StateDict {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        notes = List.copyOf(notes);
    }

    public StateDict(Map<String, TorchTensor> tensors, List<String> notes, WeightFormat format) {
        this(tensors, notes, format, null, null);
    }

    public StateDict(Map<String, TorchTensor> tensors) {
        this(tensors, List.of(), WeightFormat.IN_MEMORY);
    }

    public TorchTensor get(String key) {
        return tensors.get(key);
    }

    public boolean contains(String key) {
        return tensors.containsKey(key);
    }

    public Set<String> keys() {
        return tensors.keySet();
    }

    public int size() {
        return tensors.size();
    }
}
