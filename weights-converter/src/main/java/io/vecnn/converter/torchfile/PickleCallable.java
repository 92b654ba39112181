package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The only functions and built-in classes a pickle may call (through REDUCE) or instantiate (NEWOBJ).
 * Each builds a plain value; none runs anything from the file. Some have two names because Python 2
 * (and Python 3 writing protocol 2) spell the module differently.
 */
enum PickleCallable {
    ORDERED_DICT(true, "collections.OrderedDict"),
    /** Only its items matter; the default factory is never called. */
    DEFAULT_DICT(true, "collections.defaultdict"),
    SET(true, "builtins.set", "__builtin__.set"),
    FROZENSET(true, "builtins.frozenset", "__builtin__.frozenset"),
    /** The base class copyreg._reconstructor names; instantiating it gives an empty object. */
    OBJECT(true, "builtins.object", "__builtin__.object"),
    /** torch.device is a class with a lower-case name; a module may keep one as an attribute. */
    DEVICE(true, "torch.device"),
    /** PyTorch up to 0.4 pickled a Parameter as a call of its class on the data. */
    PARAMETER(true, "torch.nn.parameter.Parameter"),
    REBUILD_TENSOR("torch._utils._rebuild_tensor"),
    REBUILD_TENSOR_V2("torch._utils._rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils._rebuild_parameter"),
    /** Written by PyTorch 2 for a Parameter carrying Python attributes; the attributes do not matter here. */
    REBUILD_PARAMETER_WITH_STATE("torch._utils._rebuild_parameter_with_state"),
    /** Tensor subclasses: (rebuild function, subclass, its arguments, state); only the tensor matters. */
    REBUILD_FROM_TYPE("torch._tensor._rebuild_from_type", "torch._tensor._rebuild_from_type_v2"),
    /** TorchScript's typed lists: the list itself. */
    JIT_LIST(
            "torch.jit._pickle.build_intlist",
            "torch.jit._pickle.build_tensorlist",
            "torch.jit._pickle.build_doublelist",
            "torch.jit._pickle.build_boollist"),
    /** TorchScript tags a dict or list with its static type; the value is what matters. */
    JIT_TYPE_TAG("torch.jit._pickle.restore_type_tag"),
    /** Pickles of protocol 0 and 1 create objects with it: (class, base, base state). */
    RECONSTRUCTOR("copyreg._reconstructor", "copy_reg._reconstructor"),
    NEWOBJ_FUNCTION("copyreg.__newobj__", "copy_reg.__newobj__"),
    /** PyTorch 0.3/0.4 modules stored the backend they ran on; it carries nothing a state dict needs. */
    THNN_BACKEND("torch.nn.backends.thnn._get_thnn_function_backend"),
    /** Numpy values in checkpoints (a best accuracy, a step count): kept as plain objects, never decoded. */
    NUMPY_VALUE(
            "numpy.core.multiarray.scalar",
            "numpy.core.multiarray._reconstruct",
            "numpy.dtype",
            "numpy._core.multiarray.scalar",
            "numpy._core.multiarray._reconstruct");

    private final boolean isClass;
    private final String[] names;

    PickleCallable(boolean isClass, String... names) {
        this.isClass = isClass;
        this.names = names;
    }

    PickleCallable(String... names) {
        this(false, names);
    }

    String qualifiedName() {
        return names[0];
    }

    static PickleCallable byName(String qualifiedName) {
        for (PickleCallable c : values()) {
            for (String n : c.names) {
                if (n.equals(qualifiedName)) {
                    return c;
                }
            }
        }
        return null;
    }

    /** REDUCE: the call's result, built without running anything. */
    Object call(PickleTuple args, int at) {
        return switch (this) {
            case ORDERED_DICT, DEFAULT_DICT -> {
                expectArgs(args, 0, 1, at);
                Map<Object, Object> dict = new LinkedHashMap<>();
                if (this == ORDERED_DICT && args.size() == 1) {
                    // OrderedDict([[key, value], ...]), as Python 2 pickled it.
                    for (Object pair : items(args.get(0), at)) {
                        List<Object> kv = items(pair, at);
                        if (kv.size() != 2) {
                            throw fail(at, "is given an item of " + kv.size() + " values instead of a key-value pair");
                        }
                        PickleValues.checkKey(kv.get(0), at);
                        dict.put(kv.get(0), kv.get(1));
                    }
                }
                yield dict;
            }
            case SET, FROZENSET -> {
                expectArgs(args, 0, 1, at);
                Set<Object> set = new LinkedHashSet<>();
                if (args.size() == 1) {
                    for (Object item : items(args.get(0), at)) {
                        PickleValues.checkKey(item, at);
                        set.add(item);
                    }
                }
                yield set;
            }
            case OBJECT, DEVICE, THNN_BACKEND, NUMPY_VALUE -> new PickleObject(globalRef(), args);
            case PARAMETER -> {
                // Parameter(data[, requires_grad]) is its data.
                expectArgs(args, 1, 2, at);
                yield tensorArgument(args.get(0), at);
            }
            case REBUILD_TENSOR -> {
                // (storage, storage_offset, size, stride)
                expectArgs(args, 4, 4, at);
                yield TensorRebuild.of(args, qualifiedName(), at);
            }
            case REBUILD_TENSOR_V2 -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]);
                // the last three only matter for autograd and Python attributes.
                expectArgs(args, 6, 7, at);
                yield TensorRebuild.of(args, qualifiedName(), at);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                // (data, requires_grad, backward_hooks[, state]): a Parameter is its data.
                expectArgs(args, 3, this == REBUILD_PARAMETER ? 3 : 4, at);
                yield tensorArgument(args.get(0), at);
            }
            case REBUILD_FROM_TYPE -> {
                expectArgs(args, 4, 4, at);
                Object function = args.get(0);
                if (function instanceof UnsupportedValue) {
                    yield function;
                }
                if (!(function instanceof PickleCallable) || !(args.get(2) instanceof PickleTuple)) {
                    throw fail(
                            at,
                            "rebuilds with " + PickleValues.describe(function) + " and "
                                    + PickleValues.describe(args.get(2))
                                    + " instead of a tensor function and its arguments");
                }
                yield tensorArgument(((PickleCallable) function).call((PickleTuple) args.get(2), at), at);
            }
            case JIT_LIST -> {
                expectArgs(args, 1, 1, at);
                if (!(args.get(0) instanceof List)) {
                    throw fail(at, "is given " + PickleValues.describe(args.get(0)) + " instead of a list");
                }
                yield args.get(0);
            }
            case JIT_TYPE_TAG -> {
                expectArgs(args, 2, 2, at);
                yield args.get(0);
            }
            case RECONSTRUCTOR -> {
                expectArgs(args, 3, 3, at);
                if (args.get(1) != OBJECT) {
                    throw fail(
                            at,
                            "reconstructs on the base " + PickleValues.describe(args.get(1))
                                    + "; only plain objects (base 'object') are read");
                }
                yield instantiate(args.get(0), new PickleTuple(List.of()), at);
            }
            case NEWOBJ_FUNCTION -> {
                if (args.size() < 1) {
                    throw fail(at, "is called without a class");
                }
                yield instantiate(args.get(0), new PickleTuple(args.items().subList(1, args.size())), at);
            }
        };
    }

    /**
     * NEWOBJ and its spelled-out forms: an instance of {@code type}, which must be a class. Nothing is
     * constructed beyond a description, so no code of the class can run.
     */
    static Object instantiate(Object type, PickleTuple args, int at) {
        if (type instanceof UnsupportedValue) {
            return type;
        }
        if (type instanceof GlobalRef) {
            return new PickleObject((GlobalRef) type, args);
        }
        if (type instanceof PickleCallable && ((PickleCallable) type).isClass) {
            PickleCallable c = (PickleCallable) type;
            return switch (c) {
                case ORDERED_DICT, DEFAULT_DICT -> new LinkedHashMap<Object, Object>();
                case SET, FROZENSET -> new LinkedHashSet<Object>();
                default -> new PickleObject(c.globalRef(), args);
            };
        }
        throw new VecnnException("pickle creates an instance of " + PickleValues.describe(type) + " at byte " + at
                + ", which is not a class");
    }

    private GlobalRef globalRef() {
        int dot = qualifiedName().lastIndexOf('.');
        return new GlobalRef(qualifiedName().substring(0, dot), qualifiedName().substring(dot + 1));
    }

    private Object tensorArgument(Object data, int at) {
        if (!(data instanceof TensorRef) && !(data instanceof UnsupportedValue)) {
            throw fail(at, "wraps " + PickleValues.describe(data) + ", not a tensor");
        }
        return data;
    }

    private List<Object> items(Object iterable, int at) {
        if (iterable instanceof PickleTuple) {
            return ((PickleTuple) iterable).items();
        }
        if (iterable instanceof List || iterable instanceof Set) {
            return new ArrayList<>((Collection<?>) iterable);
        }
        throw fail(at, "is given " + PickleValues.describe(iterable) + " instead of a list");
    }

    private void expectArgs(PickleTuple args, int min, int max, int at) {
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? Integer.toString(min) : min + " to " + max;
            throw fail(at, "is called with " + args.size() + " arguments, expected " + expected);
        }
    }

    private VecnnException fail(int at, String problem) {
        return new VecnnException(qualifiedName() + " at byte " + at + " " + problem);
    }
}
