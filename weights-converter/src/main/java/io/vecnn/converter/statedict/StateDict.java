package io.vecnn.converter.statedict;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The name → tensor map PyTorch's {@code model.state_dict()} returns, in file order.
 *
 * @param tensors the tensors by key, in the order they appear in the file
 * @param notes   what the reader noticed and the user should hear (dtype widening, ignored entries)
 */
public record StateDict(Map<String, TorchTensor> tensors, List<String> notes) {

    public StateDict {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        notes = List.copyOf(notes);
    }

    public StateDict(Map<String, TorchTensor> tensors) {
        this(tensors, List.of());
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
