package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.TorchTensor;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns tensor views into tensors, reading each stored block once however many tensors share it, and
 * dropping it after its last use so that a large model is not held twice.
 */
final class StorageAssembly {

    private StorageAssembly() {}

    /** The tensors in order; the notes of the conversions made are added to {@code notes}. */
    static Map<String, TorchTensor> materialize(Map<String, TensorRef> views, StorageBytes source, List<String> notes) {
        Map<String, Integer> usesLeft = new HashMap<>();
        for (TensorRef view : views.values()) {
            usesLeft.merge(view.storage().key(), 1, Integer::sum);
        }
        Map<String, ByteBuffer> blocks = new HashMap<>();
        TensorMaterializer materializer = new TensorMaterializer();
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : views.entrySet()) {
            StorageRef storage = e.getValue().storage();
            ByteBuffer block = blocks.get(storage.key());
            if (block == null) {
                block = source.block(storage);
                materializer.blockRead(block.capacity() / storage.dtype().bytes());
                blocks.put(storage.key(), block);
            }
            checkHolds(block, storage, source);
            tensors.put(
                    e.getKey(), materializer.materialize(e.getKey(), e.getValue(), block, source.describe(storage)));
            if (usesLeft.merge(storage.key(), -1, Integer::sum) == 0) {
                blocks.remove(storage.key());
            }
        }
        notes.addAll(materializer.notes());
        return tensors;
    }

    private static void checkHolds(ByteBuffer block, StorageRef storage, StorageBytes source) {
        long needed;
        try {
            needed = Math.multiplyExact(
                    Math.addExact(storage.offset(), storage.numel()),
                    storage.dtype().bytes());
        } catch (ArithmeticException e) {
            needed = Long.MAX_VALUE;
        }
        if (block.capacity() < needed) {
            String elements = storage.numel() + " " + storage.dtype().name().toLowerCase() + " elements"
                    + (storage.offset() == 0 ? "" : " from element " + storage.offset());
            throw new VecnnException(source.describe(storage) + " holds " + block.capacity()
                    + " bytes, but its storage of " + elements + " needs " + needed);
        }
    }
}
