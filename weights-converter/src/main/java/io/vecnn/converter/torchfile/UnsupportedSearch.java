package io.vecnn.converter.torchfile;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Looks for an unsupported tensor (quantized, sparse...) inside a value: quantized packed params are
 * tuples of qtensors inside objects. Breadth-first and without recursion, and within a budget shared by
 * all searches of one file, so deep or cyclic values cost a bounded amount of time.
 */
final class UnsupportedSearch {
    private final Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private int budget;

    UnsupportedSearch(int budget) {
        this.budget = budget;
    }

    UnsupportedValue find(Object root) {
        Deque<Object> todo = new ArrayDeque<>();
        enqueue(todo, Collections.singletonList(root));
        while (!todo.isEmpty() && budget > 0) {
            budget--;
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
            } else if (v instanceof PickleObject) {
                enqueue(todo, ((PickleObject) v).contents());
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
}
