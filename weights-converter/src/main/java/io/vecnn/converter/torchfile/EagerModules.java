package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The layout of an {@code nn.Module} pickled whole (torch.save(model)): its instance dict holds
 * {@code _parameters}, {@code _buffers} and {@code _modules}, and since PyTorch 1.6 the names of the
 * buffers {@code state_dict()} leaves out in {@code _non_persistent_buffers_set}.
 */
final class EagerModules implements ModuleLayout {
    static final EagerModules LAYOUT = new EagerModules();

    private static final Set<String> TREE_ATTRIBUTES =
            Set.of("_parameters", "_buffers", "_modules", "_non_persistent_buffers_set");

    private EagerModules() {}

    @Override
    public boolean isModule(Object value) {
        if (!(value instanceof PickleObject)) {
            return false;
        }
        Map<?, ?> attributes = ((PickleObject) value).attributes();
        return attributes.get("_modules") instanceof Map && attributes.get("_parameters") instanceof Map;
    }

    @Override
    public Map<String, Object> tensors(PickleObject module, String path) {
        Map<?, ?> attributes = module.attributes();
        Map<String, Object> tensors = new LinkedHashMap<>();
        putAll(tensors, (Map<?, ?>) attributes.get("_parameters"), path, "parameter");
        Object buffers = attributes.get("_buffers");
        if (buffers != null) {
            Map<String, Object> all = new LinkedHashMap<>();
            putAll(all, asMap(buffers, path, "_buffers"), path, "buffer");
            Object skipped = attributes.get("_non_persistent_buffers_set");
            if (skipped instanceof Set) {
                all.keySet().removeAll((Set<?>) skipped);
            } else if (skipped != null) {
                throw new VecnnException(where(path) + " has " + PickleValues.describe(skipped)
                        + " as _non_persistent_buffers_set, not a set");
            }
            tensors.putAll(all);
        }
        return tensors;
    }

    @Override
    public Map<String, Object> children(PickleObject module, String path) {
        Map<String, Object> children = new LinkedHashMap<>();
        putAll(children, (Map<?, ?>) module.attributes().get("_modules"), path, "submodule");
        return children;
    }

    @Override
    public Map<String, Object> others(PickleObject module) {
        Map<String, Object> others = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : module.attributes().entrySet()) {
            // Set.of refuses to look up None, which a crafted instance dict can hold as a key.
            if (!(e.getKey() instanceof String) || !TREE_ATTRIBUTES.contains(e.getKey())) {
                others.put(String.valueOf(e.getKey()), e.getValue());
            }
        }
        return others;
    }

    private static Map<?, ?> asMap(Object v, String path, String attribute) {
        if (!(v instanceof Map)) {
            throw new VecnnException(
                    where(path) + " has " + PickleValues.describe(v) + " as " + attribute + ", not a dict");
        }
        return (Map<?, ?>) v;
    }

    private static void putAll(Map<String, Object> into, Map<?, ?> from, String path, String what) {
        for (Map.Entry<?, ?> e : from.entrySet()) {
            if (!(e.getKey() instanceof String)) {
                throw new VecnnException(where(path) + " names a " + what + " with " + PickleValues.describe(e.getKey())
                        + " instead of a str");
            }
            into.put((String) e.getKey(), e.getValue());
        }
    }

    static String where(String path) {
        return path.isEmpty() ? "the root module" : "module '" + path + "'";
    }
}
