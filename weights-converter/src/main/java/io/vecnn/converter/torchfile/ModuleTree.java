package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state dict of a pickled module tree, keyed by module path ({@code features.0.weight}) in the order
 * {@code state_dict()} gives: each module's own tensors, then its submodules' in turn. The walk keeps its
 * own stack and bounds depth, module count and key length, so a deep, cyclic or exploding tree ends in an
 * error rather than a StackOverflowError or an endless loop.
 */
final class ModuleTree {
    static final int MAX_DEPTH = 1000;
    static final int MAX_MODULES = 1_000_000;
    static final int MAX_KEY_CHARS = 4096;
    private static final int SEARCH_BUDGET = 1_000_000;

    private record Frame(String path, PickleObject module, int depth) {}

    private ModuleTree() {}

    static Map<String, TensorRef> tensors(PickleObject root, ModuleLayout layout) {
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        UnsupportedSearch search = new UnsupportedSearch(SEARCH_BUDGET);
        Deque<Frame> todo = new ArrayDeque<>();
        todo.push(new Frame("", root, 0));
        int visited = 0;
        while (!todo.isEmpty()) {
            Frame frame = todo.pop();
            if (++visited > MAX_MODULES) {
                throw new VecnnException("the module tree has more than " + MAX_MODULES
                        + " modules (submodules shared many times over?)");
            }
            for (Map.Entry<String, Object> e :
                    layout.tensors(frame.module(), frame.path()).entrySet()) {
                if (e.getValue() != null) {
                    String key = join(frame.path(), e.getKey());
                    tensors.put(key, tensor(key, e.getValue(), search));
                }
            }
            for (Map.Entry<String, Object> e : layout.others(frame.module()).entrySet()) {
                UnsupportedValue unsupported = search.find(e.getValue());
                if (unsupported != null) {
                    throw new VecnnException(
                            "attribute '" + join(frame.path(), e.getKey()) + "' " + unsupported.explain());
                }
            }
            List<Frame> children = new ArrayList<>();
            for (Map.Entry<String, Object> e :
                    layout.children(frame.module(), frame.path()).entrySet()) {
                Object child = e.getValue();
                if (child == null) {
                    continue;
                }
                String path = join(frame.path(), e.getKey());
                if (!layout.isModule(child)) {
                    throw new VecnnException(
                            "submodule '" + path + "' is " + PickleValues.describe(child) + ", not a module");
                }
                if (frame.depth() + 1 > MAX_DEPTH) {
                    throw new VecnnException("module '" + PickleGlobals.printable(path) + "' is nested more than "
                            + MAX_DEPTH + " modules deep (does the tree contain itself?)");
                }
                children.add(new Frame(path, (PickleObject) child, frame.depth() + 1));
            }
            for (int i = children.size() - 1; i >= 0; i--) {
                todo.push(children.get(i));
            }
        }
        return tensors;
    }

    private static TensorRef tensor(String key, Object value, UnsupportedSearch search) {
        TensorRef tensor = TensorValues.asTensor(value);
        if (tensor != null) {
            return tensor;
        }
        UnsupportedValue unsupported = search.find(value);
        if (unsupported != null) {
            throw new VecnnException("key '" + key + "' " + unsupported.explain());
        }
        throw new VecnnException("key '" + key + "' holds " + PickleValues.describe(value) + ", not a tensor");
    }

    private static String join(String path, String name) {
        if ((long) path.length() + name.length() + 1 > MAX_KEY_CHARS) {
            throw new VecnnException("a key under module '" + PickleGlobals.printable(path) + "' is longer than "
                    + MAX_KEY_CHARS + " characters");
        }
        return path.isEmpty() ? name : path + "." + name;
    }
}
