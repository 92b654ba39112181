package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Python type names of pickle values, for messages; never prints the values, which may be huge or cyclic. */
final class PickleValues {

    private PickleValues() {}

    static String describe(Object v) {
        if (v == null) {
            return "None";
        } else if (v instanceof String) {
            return "a str";
        } else if (v instanceof Long || v instanceof BigInteger) {
            return "an int";
        } else if (v instanceof Double) {
            return "a float";
        } else if (v instanceof Boolean) {
            return "a bool";
        } else if (v instanceof byte[]) {
            return "bytes";
        } else if (v instanceof Map) {
            return "a dict";
        } else if (v instanceof List) {
            return "a list";
        } else if (v instanceof Set) {
            return "a set";
        } else if (v instanceof PickleTuple) {
            return "a tuple";
        } else if (v instanceof TensorRef) {
            return "a tensor";
        } else if (v instanceof StorageRef) {
            return "a storage";
        } else if (v instanceof DType) {
            return "the storage type torch." + ((DType) v).storageClass();
        } else if (v instanceof PickleCallable) {
            return "the global " + ((PickleCallable) v).qualifiedName();
        } else if (v instanceof GlobalRef) {
            return "the global " + ((GlobalRef) v).qualifiedName();
        } else if (v instanceof PickleObject) {
            return "a " + ((PickleObject) v).type().qualifiedName() + " object";
        } else if (v instanceof UnsupportedValue) {
            return ((UnsupportedValue) v).kind();
        }
        return v.getClass().getSimpleName();
    }

    /** Whether a value can be a dict key or set item here: only immutable scalars, so hashing never recurses. */
    static boolean isKey(Object v) {
        if (v instanceof PickleTuple) {
            for (Object item : ((PickleTuple) v).items()) {
                if (!isScalar(item)) {
                    return false;
                }
            }
            return true;
        }
        return isScalar(v);
    }

    static void checkKey(Object v, int at) {
        if (!isKey(v)) {
            throw new VecnnException("pickle dict or set at byte " + at + " has " + describe(v)
                    + " as a key; only str, int, float, bool, None and tuples of them are accepted");
        }
    }

    private static boolean isScalar(Object v) {
        return v == null
                || v instanceof String
                || v instanceof Long
                || v instanceof BigInteger
                || v instanceof Double
                || v instanceof Boolean;
    }
}
