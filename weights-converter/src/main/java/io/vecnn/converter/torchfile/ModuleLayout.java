package io.vecnn.converter.torchfile;

import java.util.Map;

/**
 * Where one kind of pickled module tree keeps each module's tensors and submodules: an eager
 * {@code nn.Module} in {@code _parameters}, {@code _buffers} and {@code _modules}; a TorchScript module
 * in attributes its class declares.
 */
interface ModuleLayout {

    boolean isModule(Object value);

    /** The module's own state-dict entries (parameters, then persistent buffers), in state_dict order. */
    Map<String, Object> tensors(PickleObject module, String path);

    /** Its submodules by attribute name, in order; a null value is an unset submodule. */
    Map<String, Object> children(PickleObject module, String path);

    /** Its remaining attributes, which are searched for quantized or other unsupported tensors. */
    Map<String, Object> others(PickleObject module);
}
