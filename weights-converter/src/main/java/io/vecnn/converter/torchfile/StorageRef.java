package io.vecnn.converter.torchfile;

import io.vecnn.converter.statedict.DType;

/**
 * A storage a tensor views, as named by the pickle's persistent id: the bytes themselves stay in
 * the file until a tensor needs them.
 *
 * @param key      the storage's key, the name of its record under {@code data/}
 * @param dtype    the element type the storage class declares
 * @param location the device it was saved from, e.g. {@code cpu} or {@code cuda:0}
 * @param numel    how many elements the storage holds
 */
public record StorageRef(String key, DType dtype, String location, long numel) {

    /** "6 float32 elements on cpu" */
    public String describe() {
        return numel + " " + dtype.name().toLowerCase() + " elements on " + location;
    }
}
