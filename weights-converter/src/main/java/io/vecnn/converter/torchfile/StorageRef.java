package io.vecnn.converter.torchfile;

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

    /** "6 float32 elements on cpu" */
    public String describe() {
        return numel + " " + dtype.name().toLowerCase() + " elements on " + location
                + (offset == 0 ? "" : " from element " + offset);
    }
}
