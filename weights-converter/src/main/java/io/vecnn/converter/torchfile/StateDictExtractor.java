package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the name → tensor map in what a pickle built: the top-level dict itself; for a training
 * checkpoint, the one entry that conventionally holds the model's state dict; or, for a model pickled
 * whole (torch.save(model)), the state dict of its module tree. Anything else is refused with the key at
 * fault, because guessing which tensors form a model would be worse.
 */
final class StateDictExtractor {
    static final List<String> WRAPPER_KEYS = List.of("state_dict", "model_state_dict", "model");
    /** How many ignored checkpoint entries a note lists by name. */
    private static final int NAMES_IN_NOTE = 8;
    /** How many values the search for a nested unsupported tensor visits before giving up. */
    private static final int SEARCH_BUDGET = 100_000;

    private StateDictExtractor() {}

    static ExtractedTensors extract(Object root) {
        if (EagerModules.LAYOUT.isModule(root)) {
            return fromModule((PickleObject) root, null, List.of());
        }
        if (!(root instanceof Map)) {
            throw new VecnnException("the file holds " + PickleValues.describe(root)
                    + ", not a state dict (a dict of name → tensor) or a model");
        }
        Map<?, ?> top = (Map<?, ?>) root;
        String wrapper = onlyTensors(top) ? null : wrapperKey(top);
        if (wrapper == null) {
            return new ExtractedTensors(tensorsOf(top, null), List.of(), null, null);
        }
        List<String> notes = List.of(ignoredEntriesNote(top, wrapper));
        Object inner = top.get(wrapper);
        if (inner instanceof Map) {
            return new ExtractedTensors(tensorsOf((Map<?, ?>) inner, wrapper), notes, wrapper, null);
        }
        return fromModule((PickleObject) inner, wrapper, notes);
    }

    private static ExtractedTensors fromModule(PickleObject model, String wrapper, List<String> notes) {
        try {
            return new ExtractedTensors(
                    ModuleTree.tensors(model, EagerModules.LAYOUT),
                    notes,
                    wrapper,
                    model.type().qualifiedName());
        } catch (VecnnException e) {
            String where = wrapper == null ? "" : " (in entry '" + wrapper + "')";
            throw new VecnnException(
                    "in the pickled model " + model.type().qualifiedName() + where + ": " + e.getMessage(), e);
        }
    }

    private static boolean onlyTensors(Map<?, ?> dict) {
        for (Object v : dict.values()) {
            if (TensorValues.asTensor(v) == null) {
                return false;
            }
        }
        return true;
    }

    private static String wrapperKey(Map<?, ?> top) {
        List<String> candidates = new ArrayList<>();
        for (String key : WRAPPER_KEYS) {
            Object v = top.get(key);
            if (v instanceof Map || EagerModules.LAYOUT.isModule(v)) {
                candidates.add(key);
            }
        }
        if (candidates.size() > 1) {
            throw new VecnnException("the file is a checkpoint with several entries that could be the model ("
                    + quoted(candidates) + "); save the one you mean with torch.save(checkpoint['...'])");
        }
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    private static Map<String, TensorRef> tensorsOf(Map<?, ?> dict, String wrapper) {
        String where = wrapper == null ? "" : " (in entry '" + wrapper + "')";
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        UnsupportedSearch search = new UnsupportedSearch(SEARCH_BUDGET);
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new VecnnException("key " + PickleGlobals.printable(String.valueOf(e.getKey())) + where + " is "
                        + PickleValues.describe(e.getKey()) + "; state dict keys are str");
            }
            String key = (String) e.getKey();
            if (key.length() > ModuleTree.MAX_KEY_CHARS) {
                throw new VecnnException("key '" + PickleGlobals.printable(key) + "'" + where + " is longer than "
                        + ModuleTree.MAX_KEY_CHARS + " characters");
            }
            Object value = e.getValue();
            TensorRef tensor = TensorValues.asTensor(value);
            if (tensor != null) {
                tensors.put(key, tensor);
                continue;
            }
            UnsupportedValue unsupported = search.find(value);
            if (unsupported != null) {
                throw new VecnnException("key '" + key + "'" + where + " " + unsupported.explain());
            }
            String message = "key '" + key + "'" + where + " holds " + PickleValues.describe(value) + ", not a tensor";
            if (wrapper == null) {
                message += "; a state dict maps names to tensors, and of a checkpoint dict only an entry named "
                        + quoted(WRAPPER_KEYS) + " holding the tensors or the model is read";
            }
            throw new VecnnException(message);
        }
        return tensors;
    }

    private static String ignoredEntriesNote(Map<?, ?> top, String wrapper) {
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            if (!wrapper.equals(e.getKey()) && ignored.size() < NAMES_IN_NOTE) {
                ignored.add("'" + PickleGlobals.printable(String.valueOf(e.getKey())) + "' ("
                        + PickleValues.describe(e.getValue()) + ")");
            }
        }
        String more = top.size() - 1 > NAMES_IN_NOTE ? " and " + (top.size() - 1 - NAMES_IN_NOTE) + " more" : "";
        return "read the tensors of checkpoint entry '" + wrapper + "'"
                + (ignored.isEmpty() ? "" : "; ignored " + String.join(", ", ignored) + more);
    }

    private static String quoted(List<String> names) {
        List<String> q = new ArrayList<>();
        for (String n : names) {
            q.add("'" + n + "'");
        }
        return String.join(", ", q);
    }
}
