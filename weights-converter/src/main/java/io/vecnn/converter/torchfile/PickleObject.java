package io.vecnn.converter.torchfile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An instance of a class the pickle names, described and never created: which class, the arguments
 * its constructor would have received and the state BUILD would have set. An {@code nn.Module} pickled
 * whole is one of these, with {@code _modules}, {@code _parameters} and {@code _buffers} in its state.
 * Equality is identity, so that hashing never walks into a (possibly cyclic or very deep) state.
 */
final class PickleObject {
    private final GlobalRef type;
    private final PickleTuple args;
    private Object state;
    private Map<Object, Object> items;
    private List<Object> elements;

    PickleObject(GlobalRef type, PickleTuple args) {
        this.type = type;
        this.args = args;
    }

    GlobalRef type() {
        return type;
    }

    Object state() {
        return state;
    }

    void setState(Object state) {
        this.state = state;
    }

    /**
     * The attributes BUILD set: its state when that is a dict, merged with the slot dict when the state is
     * Python's {@code (dict, slots)} pair; empty otherwise.
     */
    Map<?, ?> attributes() {
        if (state instanceof Map) {
            return (Map<?, ?>) state;
        }
        if (state instanceof PickleTuple && ((PickleTuple) state).size() == 2) {
            Object dict = ((PickleTuple) state).get(0);
            Object slots = ((PickleTuple) state).get(1);
            if ((dict == null || dict instanceof Map) && (slots == null || slots instanceof Map)) {
                Map<Object, Object> merged = new LinkedHashMap<>();
                if (dict != null) {
                    merged.putAll((Map<?, ?>) dict);
                }
                if (slots != null) {
                    merged.putAll((Map<?, ?>) slots);
                }
                return merged;
            }
        }
        return Collections.emptyMap();
    }

    /** Where SETITEM(S) put items when the class is a dict subclass. */
    Map<Object, Object> items() {
        if (items == null) {
            items = new LinkedHashMap<>();
        }
        return items;
    }

    /** Where APPEND(S) put elements when the class is a list subclass. */
    List<Object> elements() {
        if (elements == null) {
            elements = new ArrayList<>();
        }
        return elements;
    }

    /** The values this object holds, for searches through it: arguments, state, items and elements. */
    List<Object> contents() {
        List<Object> all = new ArrayList<>();
        if (args != null) {
            all.add(args);
        }
        all.add(state);
        if (items != null) {
            all.addAll(items.values());
        }
        if (elements != null) {
            all.addAll(elements);
        }
        return all;
    }
}
