package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of a TorchScript module tree (data.pkl of torch.jit.save): each module is an object whose
 * state is its attributes, in slot order; its class declares which are parameters and buffers, and
 * attributes holding objects of module classes are its submodules.
 */
final class ScriptModules implements ModuleLayout {
    /** TorchScript's built-in classes holding packed quantized weights. */
    private static final String QUANTIZED_CLASSES = "__torch__.torch.classes.quantized";

    private final TorchScriptClasses classes;

    ScriptModules(TorchScriptClasses classes) {
        this.classes = classes;
    }

    @Override
    public boolean isModule(Object value) {
        if (!(value instanceof PickleObject)) {
            return false;
        }
        TorchScriptClasses.Declaration d = classes.of(((PickleObject) value).type());
        return d != null && d.module();
    }

    @Override
    public Map<String, Object> tensors(PickleObject module, String path) {
        TorchScriptClasses.Declaration d = declaration(module, path);
        Map<String, Object> tensors = new LinkedHashMap<>();
        Map<?, ?> attributes = module.attributes();
        for (List<String> names : List.of(d.parameters(), d.buffers())) {
            for (String name : names) {
                if (!attributes.containsKey(name)) {
                    throw new VecnnException(EagerModules.where(path) + " ("
                            + module.type().qualifiedName() + ") declares '" + name + "' but has no such attribute");
                }
                tensors.put(name, attributes.get(name));
            }
        }
        return tensors;
    }

    @Override
    public Map<String, Object> children(PickleObject module, String path) {
        Map<String, Object> children = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : module.attributes().entrySet()) {
            if (isModule(e.getValue())) {
                children.put(String.valueOf(e.getKey()), e.getValue());
            }
        }
        return children;
    }

    @Override
    public Map<String, Object> others(PickleObject module) {
        TorchScriptClasses.Declaration d = classes.of(module.type());
        Map<String, Object> others = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : module.attributes().entrySet()) {
            Object v = e.getValue();
            if (d.parameters().contains(e.getKey()) || d.buffers().contains(e.getKey()) || isModule(v)) {
                continue;
            }
            if (v instanceof PickleObject && ((PickleObject) v).type().module().equals(QUANTIZED_CLASSES)) {
                v = new UnsupportedValue(
                        ((PickleObject) v).type().qualifiedName(),
                        "packed quantized weights",
                        PickleGlobals.QUANTIZED_ADVICE);
            }
            others.put(String.valueOf(e.getKey()), v);
        }
        return others;
    }

    private TorchScriptClasses.Declaration declaration(PickleObject module, String path) {
        TorchScriptClasses.Declaration d = classes.of(module.type());
        if (d == null || !d.module()) {
            throw new VecnnException(EagerModules.where(path) + " is a "
                    + module.type().qualifiedName() + " object, but the archive's code/ defines no such module class");
        }
        return d;
    }
}
