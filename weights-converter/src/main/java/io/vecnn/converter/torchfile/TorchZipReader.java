package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.WeightFormat;
import io.vecnn.converter.statedict.TorchTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the zip format torch.save writes since PyTorch 1.6 into a {@link StateDict}. */
public final class TorchZipReader {

    private TorchZipReader() {
    }

    public static StateDict read(Path file) {
        try (TorchZipArchive archive = TorchZipArchive.open(file)) {
            try {
                return read(archive);
            } catch (VecnnException e) {
                throw new VecnnException(file + ": " + e.getMessage(), e);
            }
        }
    }

    private static StateDict read(TorchZipArchive archive) {
        ByteOrder order = archive.byteOrder();
        ZipStorageIds storageIds = new ZipStorageIds();
        Object root;
        try {
            root = PickleVm.load(archive.pickle(), storageIds);
        } catch (VecnnException e) {
            throw new VecnnException(e.getMessage() + " (in record '" + archive.pickleName() + "')", e);
        }
        ExtractedTensors extracted = StateDictExtractor.extract(root);

        // Tensors that view one storage share its bytes; read each record once.
        Map<String, ByteBuffer> storages = new HashMap<>();
        TensorMaterializer materializer = new TensorMaterializer();
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : extracted.tensors().entrySet()) {
            StorageRef storage = e.getValue().storage();
            ByteBuffer bytes = storages.computeIfAbsent(storage.key(), k -> archive.storage(storage, order));
            tensors.put(e.getKey(), materializer.materialize(e.getKey(), e.getValue(), bytes,
                    archive.storageName(storage)));
        }

        List<String> notes = new ArrayList<>(extracted.notes());
        if (order == ByteOrder.BIG_ENDIAN) {
            notes.add("the file was written on a big-endian machine; its bytes were swapped");
        }
        notes.addAll(storageIds.notes());
        notes.addAll(materializer.notes());
        return new StateDict(tensors, notes, WeightFormat.ZIP, extracted.wrapper(), null);
    }
}
