package io.vecnn.converter.torchfile;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a strided view of a storage.
 *
 * @param storage       the storage it views
 * @param storageOffset the index of its first element in the storage, in elements
 * @param size          its shape (empty for a 0-d tensor)
 * @param stride        the storage step of each dimension, in elements (0 for expanded dimensions)
 */
public record TensorRef(StorageRef storage, long storageOffset, int[] size, long[] stride) {

    public String describeView() {
        return "shape " + Arrays.toString(size) + ", stride " + Arrays.toString(stride) + ", offset " + storageOffset;
    }
}
