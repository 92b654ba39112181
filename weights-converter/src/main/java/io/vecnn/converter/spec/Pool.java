package io.vecnn.converter.spec;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

/**
 * A pooling layer's parameters with PyTorch's defaults: stride = kernel, no padding, floor mode,
 * padding counted in averages. {@code "max_pool": 2} is {@code nn.MaxPool2d(2)}.
 */
record Pool(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
    private static final Set<String> FIELDS = Set.of("kernel", "stride", "padding", "ceil_mode", "count_include_pad");

    static Pool of(Fields layer, String field) {
        JsonNode v = layer.node(field);
        if (!v.isObject()) {
            int kernel = layer.pair(field, null)[0];
            return new Pool(kernel, kernel, 0, false, true);
        }
        Fields f = new Fields(v, layer.path() + "." + field);
        v.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw SpecInterpreter.error(f.path(), "pools take no field '" + name + "' (they take " + FIELDS + ")");
            }
        });
        int kernel = f.integer("kernel", -1);
        if (kernel <= 0) {
            throw SpecInterpreter.error(f.path(), "'kernel' must be given and positive");
        }
        return new Pool(
                kernel,
                f.integer("stride", kernel),
                f.integer("padding", 0),
                f.bool("ceil_mode", false),
                f.bool("count_include_pad", true));
    }
}
