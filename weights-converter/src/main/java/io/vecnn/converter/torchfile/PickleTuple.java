package io.vecnn.converter.torchfile;

import java.util.List;

/**
 * A Python tuple read from a pickle. Kept apart from lists (which are {@link java.util.ArrayList}s)
 * because tuples are immutable and can be dict keys, and because error messages name the type.
 */
public record PickleTuple(List<Object> items) {

    public PickleTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    public int size() {
        return items.size();
    }

    public Object get(int i) {
        return items.get(i);
    }
}
