package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;

import java.util.Map;
import java.util.Set;

/**
 * The allow-list of pickle globals. A pickle names a global to call it, and calling arbitrary
 * globals is how a malicious .pth runs code; a state dict needs only the handful below. PyTorch
 * constructs that are legitimate but unsupported resolve to an {@link UnsupportedValue} so the
 * error can name the key that holds them.
 */
final class PickleGlobals {

    private static final String QUANTIZED_ADVICE = "quantized models are not supported; convert the float model";

    private static final Map<String, UnsupportedValue> UNSUPPORTED = Map.ofEntries(
            unsupported("torch._utils._rebuild_qtensor", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.per_tensor_affine", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.per_channel_affine", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.per_channel_affine_float_qparams", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.per_tensor_symmetric", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.per_channel_symmetric", "a quantization scheme", QUANTIZED_ADVICE),
            unsupported("torch.qint8", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.quint8", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.qint32", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.quint4x2", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.quint2x4", "a quantized dtype", QUANTIZED_ADVICE),
            unsupported("torch.QInt8Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.QUInt8Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.QInt32Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.QUInt4x2Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch.QUInt2x4Storage", "a quantized tensor", QUANTIZED_ADVICE),
            unsupported("torch._utils._rebuild_sparse_tensor", "a sparse tensor",
                    "sparse tensors are not supported; save t.to_dense() instead"),
            unsupported("torch.sparse_coo", "a sparse tensor",
                    "sparse tensors are not supported; save t.to_dense() instead"),
            unsupported("torch.ComplexFloatStorage", "a complex tensor", "complex tensors are not supported"),
            unsupported("torch.ComplexDoubleStorage", "a complex tensor", "complex tensors are not supported"),
            unsupported("torch.ComplexHalfStorage", "a complex tensor", "complex tensors are not supported"));

    /** Modules whose globals are attacks, not models; the whole-model hint would only confuse there. */
    private static final Set<String> DANGEROUS_MODULES = Set.of("os", "posix", "nt", "subprocess", "builtins",
            "__builtin__", "sys", "shutil", "socket", "importlib", "runpy", "pty", "code", "ctypes", "pickle",
            "marshal", "types", "webbrowser", "codecs", "operator", "functools", "io", "pathlib");

    private PickleGlobals() {
    }

    /** A {@link PickleCallable}, a storage {@link DType} or an {@link UnsupportedValue}; refuses anything else. */
    static Object resolve(String module, String name, int at) {
        String qualified = module + "." + name;
        PickleCallable callable = PickleCallable.byName(qualified);
        if (callable != null) {
            return callable;
        }
        if (module.equals("torch")) {
            DType storage = DType.ofStorageClass(name);
            if (storage != null) {
                return storage;
            }
        }
        UnsupportedValue unsupported = UNSUPPORTED.get(qualified);
        if (unsupported != null) {
            return unsupported;
        }
        String message = "refused pickle global '" + qualified + "' at byte " + at + ": a state dict never needs it";
        String root = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        if (!DANGEROUS_MODULES.contains(root)) {
            message += " (a file saved with torch.save(model) pickles the model's classes;"
                    + " save model.state_dict() instead)";
        }
        throw new VecnnException(message);
    }

    private static Map.Entry<String, UnsupportedValue> unsupported(String global, String kind, String advice) {
        return Map.entry(global, new UnsupportedValue(global, kind, advice));
    }
}
