package io.vecnn.exec.fast;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Bytes a plan's steps hold: their packed weights, biases and tables, found by walking the objects of VecNN's own
 * classes and the arrays and collections they reference, each counted once. The weights dominate and are arrays,
 * whose size is exact (a 16-byte header plus the elements); objects count a header and a reference per field.
 * What the steps share with the rest of the JVM (the pool, a tuning cache's classes) is not VecNN's and not walked.
 */
final class RetainedBytes {
    private static final long HEADER = 16;
    private static final long REFERENCE = 8;

    private RetainedBytes() {}

    static long of(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        long bytes = 0;
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (!seen.add(o)) {
                continue;
            }
            Class<?> type = o.getClass();
            if (type.isArray()) {
                bytes += arrayBytes(o, todo);
            } else if (o instanceof Collection<?> c) {
                bytes += HEADER + REFERENCE * c.size();
                c.forEach(e -> push(e, todo));
            } else if (o instanceof Map<?, ?> m) {
                bytes += HEADER + 2 * REFERENCE * m.size();
                m.forEach((k, v) -> {
                    push(k, todo);
                    push(v, todo);
                });
            } else if (type.getName().startsWith("io.vecnn.")) {
                bytes += HEADER + fields(o, todo);
            }
        }
        return bytes;
    }

    private static long arrayBytes(Object array, ArrayDeque<Object> todo) {
        int length = Array.getLength(array);
        Class<?> element = array.getClass().getComponentType();
        if (!element.isPrimitive()) {
            for (Object e : (Object[]) array) {
                push(e, todo);
            }
            return HEADER + REFERENCE * length;
        }
        long size = element == long.class || element == double.class
                ? 8
                : element == int.class || element == float.class
                        ? 4
                        : element == boolean.class || element == byte.class ? 1 : 2;
        return HEADER + size * length;
    }

    private static long fields(Object o, ArrayDeque<Object> todo) {
        long bytes = 0;
        for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                bytes += REFERENCE;
                if (!f.getType().isPrimitive()) {
                    try {
                        f.setAccessible(true);
                        push(f.get(o), todo);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // A field this module cannot open holds nothing of the plan's own.
                    }
                }
            }
        }
        return bytes;
    }

    private static void push(Object o, ArrayDeque<Object> todo) {
        if (o != null) {
            todo.push(o);
        }
    }
}
