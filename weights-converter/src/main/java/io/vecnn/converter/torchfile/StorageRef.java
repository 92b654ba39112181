package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;

/**
 * A storage a tensor views, as the file declares it: the bytes themselves stay in the file until a
 * tensor needs them.
 *
 * @param key      the key of the stored block that holds its bytes (in a zip, the record {@code data/<key>})
 * @param dtype    the element type the storage class declares
 * @param location the device it was saved from, e.g. {@code cpu} or {@code cuda:0}
 * @param numel    how many elements the storage holds
 * @param offset   the element of the stored block where this storage starts: non-zero only for the storage
 *                 views of the legacy and tar formats, which share one block
 */
public record StorageRef(String key, DType dtype, String location, long numel, long offset) {

    public StorageRef(String key, DType dtype, String location, long numel) {
        this(key, dtype, location, numel, 0);
    }

    /**
     * The storage a persistent id {@code ('storage', storage_type, key, location, numel, ...)} declares, its
     * fields checked; the zip and the legacy formats share this part of the id.
     */
    static StorageRef declaredBy(PickleTuple id, int at) {
        Object type = id.get(1);
        if (!(type instanceof DType)
                || !(id.get(2) instanceof String)
                || !(id.get(3) instanceof String)
                || !(id.get(4) instanceof Long)
                || (Long) id.get(4) < 0) {
            throw new VecnnException("persistent id at byte " + at + " holds (" + PickleValues.describe(type) + ", "
                    + PickleValues.describe(id.get(2)) + ", " + PickleValues.describe(id.get(3)) + ", "
                    + PickleValues.describe(id.get(4)) + ") instead of (storage type, str key, str location, numel)");
        }
        return new StorageRef((String) id.get(2), (DType) type, (String) id.get(3), (Long) id.get(4));
    }

    /** "6 float32 elements on cpu" */
    public String describe() {
        return numel + " " + dtype.name().toLowerCase() + " elements on " + location
                + (offset == 0 ? "" : " from element " + offset);
    }
}
