package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the name → tensor map in what a pickle built: either the top-level dict itself, or, for a
 * training checkpoint, the one entry that conventionally holds the model's state dict. Anything else
 * is refused with the key at fault, because guessing which tensors form a model would be worse.
 */
final class StateDictExtractor {
    static final List<String> WRAPPER_KEYS = List.of("state_dict", "model_state_dict", "model");
    /** How many ignored checkpoint entries a note lists by name. */
    private static final int NAMES_IN_NOTE = 8;
    /** How many values the search for a nested unsupported tensor visits before giving up. */
    private static final int SEARCH_BUDGET = 10_000;

    private StateDictExtractor() {
    }

    static ExtractedTensors extract(Object root) {
        if (!(root instanceof Map)) {
            throw new VecnnException("the file holds " + PickleValues.describe(root)
                    + ", not a state dict (a dict of name → tensor)");
        }
        Map<?, ?> top = (Map<?, ?>) root;
        String wrapper = onlyTensors(top) ? null : wrapperKey(top);
        if (wrapper == null) {
            return new ExtractedTensors(tensorsOf(top, null), List.of(), null);
        }
        List<String> notes = new ArrayList<>();
        notes.add(ignoredEntriesNote(top, wrapper));
        return new ExtractedTensors(tensorsOf((Map<?, ?>) top.get(wrapper), wrapper), notes, wrapper);
    }

    private static boolean onlyTensors(Map<?, ?> dict) {
        for (Object v : dict.values()) {
            if (!(v instanceof TensorRef)) {
                return false;
            }
        }
        return true;
    }

    private static String wrapperKey(Map<?, ?> top) {
        List<String> candidates = new ArrayList<>();
        for (String key : WRAPPER_KEYS) {
            if (top.get(key) instanceof Map) {
                candidates.add(key);
            }
        }
        if (candidates.size() > 1) {
            throw new VecnnException("the file is a checkpoint with several dicts that could be the state dict ("
                    + quoted(candidates) + "); save the one you mean with torch.save(checkpoint['...'])");
        }
        return candidates.isEmpty() ? null : candidates.get(0);
    }

    private static Map<String, TensorRef> tensorsOf(Map<?, ?> dict, String wrapper) {
        String where = wrapper == null ? "" : " (in entry '" + wrapper + "')";
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new VecnnException("key " + e.getKey() + where + " is " + PickleValues.describe(e.getKey())
                        + "; state dict keys are str");
            }
            String key = (String) e.getKey();
            Object value = e.getValue();
            if (value instanceof TensorRef) {
                tensors.put(key, (TensorRef) value);
                continue;
            }
            UnsupportedValue unsupported = findUnsupported(value);
            if (unsupported != null) {
                throw new VecnnException("key '" + key + "'" + where + " " + unsupported.explain());
            }
            String message = "key '" + key + "'" + where + " holds " + PickleValues.describe(value) + ", not a tensor";
            if (wrapper == null) {
                message += "; a state dict maps names to tensors, and of a checkpoint dict only an entry named "
                        + quoted(WRAPPER_KEYS) + " holding the tensors is read";
            }
            throw new VecnnException(message);
        }
        return tensors;
    }

    /** An unsupported tensor directly or inside containers (quantized packed params are tuples of qtensors). */
    private static UnsupportedValue findUnsupported(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>();
        enqueue(todo, Collections.singletonList(root));
        int visited = 0;
        while (!todo.isEmpty() && visited++ < SEARCH_BUDGET) {
            Object v = todo.poll();
            if (v instanceof UnsupportedValue) {
                return (UnsupportedValue) v;
            }
            if (!seen.add(v)) {
                continue;
            }
            if (v instanceof PickleTuple) {
                enqueue(todo, ((PickleTuple) v).items());
            } else if (v instanceof Collection) {
                enqueue(todo, (Collection<?>) v);
            } else if (v instanceof Map) {
                enqueue(todo, ((Map<?, ?>) v).values());
            }
        }
        return null;
    }

    /** ArrayDeque holds no nulls, and None carries nothing to find. */
    private static void enqueue(Deque<Object> todo, Collection<?> items) {
        for (Object item : items) {
            if (item != null) {
                todo.add(item);
            }
        }
    }

    private static String ignoredEntriesNote(Map<?, ?> top, String wrapper) {
        List<String> ignored = new ArrayList<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            if (!wrapper.equals(e.getKey()) && ignored.size() < NAMES_IN_NOTE) {
                ignored.add("'" + e.getKey() + "' (" + PickleValues.describe(e.getValue()) + ")");
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
