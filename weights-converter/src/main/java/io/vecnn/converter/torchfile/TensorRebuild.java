package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

/** Checks the arguments of {@code _rebuild_tensor_v2} and turns them into a {@link TensorRef}. */
final class TensorRebuild {
    /** PyTorch tensors have at most 64 dimensions. */
    static final int MAX_RANK = 64;

    private TensorRebuild() {}

    /** A TensorRef, or the storage's UnsupportedValue when the storage is of a kind VecNN does not read. */
    static Object of(PickleTuple args, String function, int at) {
        Object storage = args.get(0);
        if (storage instanceof UnsupportedValue) {
            return storage;
        }
        if (!(storage instanceof StorageRef)) {
            throw fail(function, at, "storage is " + PickleValues.describe(storage));
        }
        long offset = nonNegative(args.get(1), "storage offset", function, at);
        PickleTuple size = tuple(args.get(2), "size", function, at);
        PickleTuple stride = tuple(args.get(3), "stride", function, at);
        if (size.size() > MAX_RANK) {
            throw fail(
                    function,
                    at,
                    "size has " + size.size() + " dimensions, more than the " + MAX_RANK + " a tensor can have");
        }
        if (size.size() != stride.size()) {
            throw fail(function, at, "size has " + size.size() + " dimensions but stride has " + stride.size());
        }
        int[] dims = new int[size.size()];
        long[] steps = new long[size.size()];
        for (int d = 0; d < dims.length; d++) {
            long n = nonNegative(size.get(d), "size[" + d + "]", function, at);
            if (n > Integer.MAX_VALUE) {
                throw fail(function, at, "size[" + d + "] = " + n + " is larger than a dimension can be");
            }
            dims[d] = (int) n;
            steps[d] = nonNegative(stride.get(d), "stride[" + d + "]", function, at);
        }
        return new TensorRef((StorageRef) storage, offset, dims, steps);
    }

    private static PickleTuple tuple(Object v, String what, String function, int at) {
        if (!(v instanceof PickleTuple)) {
            throw fail(function, at, what + " is " + PickleValues.describe(v) + ", not a tuple");
        }
        return (PickleTuple) v;
    }

    private static long nonNegative(Object v, String what, String function, int at) {
        if (!(v instanceof Long) || (Long) v < 0) {
            String found = v instanceof Long ? v.toString() : PickleValues.describe(v);
            throw fail(function, at, what + " is " + found + ", not a non-negative int");
        }
        return (Long) v;
    }

    private static VecnnException fail(String function, int at, String problem) {
        return new VecnnException(function + " at byte " + at + ": " + problem);
    }
}
