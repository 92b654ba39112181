package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.LinkedHashMap;

/**
 * The only functions a pickle may call (through REDUCE). Each builds a plain value; none runs
 * anything from the file.
 */
enum PickleCallable {
    ORDERED_DICT("collections.OrderedDict"),
    REBUILD_TENSOR_V2("torch._utils._rebuild_tensor_v2"),
    REBUILD_PARAMETER("torch._utils._rebuild_parameter"),
    /** Written by PyTorch 2 for a Parameter carrying Python attributes; the attributes do not matter here. */
    REBUILD_PARAMETER_WITH_STATE("torch._utils._rebuild_parameter_with_state");

    private final String qualifiedName;

    PickleCallable(String qualifiedName) {
        this.qualifiedName = qualifiedName;
    }

    String qualifiedName() {
        return qualifiedName;
    }

    static PickleCallable byName(String qualifiedName) {
        for (PickleCallable c : values()) {
            if (c.qualifiedName.equals(qualifiedName)) {
                return c;
            }
        }
        return null;
    }

    Object call(PickleTuple args, int at) {
        return switch (this) {
            case ORDERED_DICT -> {
                // Pickle fills an OrderedDict with SETITEMS after creating it empty.
                expectArgs(args, 0, 0, at);
                yield new LinkedHashMap<Object, Object>();
            }
            case REBUILD_TENSOR_V2 -> {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]);
                // the last three only matter for autograd and Python attributes.
                expectArgs(args, 6, 7, at);
                yield TensorRebuild.of(args, qualifiedName, at);
            }
            case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> {
                // (data, requires_grad, backward_hooks[, state]): a Parameter is its data.
                expectArgs(args, 3, this == REBUILD_PARAMETER ? 3 : 4, at);
                Object data = args.get(0);
                if (!(data instanceof TensorRef) && !(data instanceof UnsupportedValue)) {
                    throw new VecnnException(qualifiedName + " at byte " + at + " wraps "
                            + PickleValues.describe(data) + ", not a tensor");
                }
                yield data;
            }
        };
    }

    private void expectArgs(PickleTuple args, int min, int max, int at) {
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? Integer.toString(min) : min + " or " + max;
            throw new VecnnException(qualifiedName + " at byte " + at + " called with " + args.size()
                    + " arguments, expected " + expected);
        }
    }
}
