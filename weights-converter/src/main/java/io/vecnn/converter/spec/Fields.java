package io.vecnn.converter.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Strict access to one layer object of a spec: unknown fields are typos, and every error names the layer's path. */
record Fields(JsonNode node, String path) {
    /**
     * Kernels, strides, paddings and channel counts are small; bounding them keeps the shape arithmetic of the
     * layers (side + 2 × padding, channels + padding channels) far from int overflow.
     */
    static final int MAX_WHOLE = 1 << 16;
    /** Each layer kind with the other fields it accepts. */
    private static final Map<String, Set<String>> KINDS = Map.ofEntries(
            Map.entry("conv", Set.of("kernel", "stride", "padding", "groups")),
            Map.entry("batch_norm", Set.of("eps")),
            Map.entry("layer_norm", Set.of("eps")),
            Map.entry("linear", Set.of()),
            Map.entry("max_pool", Set.of("name")),
            Map.entry("avg_pool", Set.of("name")),
            Map.entry("adaptive_avg_pool", Set.of("name")),
            Map.entry("parallel", Set.of("join", "name")),
            Map.entry("subsample_pad", Set.of("name")),
            Map.entry("squeeze_excitation", Set.of("activation", "scale_activation")),
            Map.entry("channel_shuffle", Set.of("name")),
            Map.entry("channel_slice", Set.of("name")));

    String kind() {
        String kind = null;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (KINDS.containsKey(field)) {
                if (kind != null) {
                    throw SpecInterpreter.error(
                            path, "a layer has one kind, this one has '" + kind + "' and '" + field + "'");
                }
                kind = field;
            }
        }
        if (kind == null) {
            throw SpecInterpreter.error(
                    path,
                    "no layer kind in " + node + "; kinds are " + List.copyOf(new java.util.TreeSet<>(KINDS.keySet())));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals(kind) && !KINDS.get(kind).contains(field)) {
                throw SpecInterpreter.error(
                        path,
                        "'" + kind + "' layers take no field '" + field + "' (they take " + KINDS.get(kind) + ")");
            }
        }
        return kind;
    }

    JsonNode node(String field) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw SpecInterpreter.error(path, "missing field '" + field + "'");
        }
        return v;
    }

    JsonNode object(String field) {
        JsonNode v = node(field);
        if (!v.isObject()) {
            throw SpecInterpreter.error(path, "'" + field + "' must be an object, got " + v);
        }
        return v;
    }

    String text(String field) {
        JsonNode v = node(field);
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw SpecInterpreter.error(
                    path, "'" + field + "' must be a state-dict prefix such as \"features.0\", got " + v);
        }
        return v.asText();
    }

    String optionalText(String field) {
        JsonNode v = node.get(field);
        return v == null ? null : text(field);
    }

    double number(String field, double otherwise) {
        JsonNode v = node.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.isNumber() || v.doubleValue() <= 0) {
            throw SpecInterpreter.error(path, "'" + field + "' must be a positive number, got " + v);
        }
        return v.doubleValue();
    }

    int integer(String field, int otherwise) {
        JsonNode v = node.get(field);
        if (v == null) {
            return otherwise;
        }
        return whole(v, field);
    }

    boolean bool(String field, boolean otherwise) {
        JsonNode v = node.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw SpecInterpreter.error(path, "'" + field + "' must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    /** A size given as one number (square) or as [height, width]; {@code otherwise} when absent (null: required). */
    int[] pair(String field, int[] otherwise) {
        JsonNode v = node.get(field);
        if (v == null) {
            if (otherwise == null) {
                throw SpecInterpreter.error(path, "missing field '" + field + "'");
            }
            return otherwise;
        }
        if (v.isArray() && v.size() == 2) {
            return new int[] {whole(v.get(0), field), whole(v.get(1), field)};
        }
        if (v.isArray()) {
            throw SpecInterpreter.error(path, "'" + field + "' must be a number or [height, width], got " + v);
        }
        int n = whole(v, field);
        return new int[] {n, n};
    }

    private int whole(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > MAX_WHOLE) {
            throw SpecInterpreter.error(
                    path, "'" + field + "' must be a whole number from 0 to " + MAX_WHOLE + ", got " + v);
        }
        return v.intValue();
    }
}
