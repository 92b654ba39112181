package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The record {@code data.pkl} of a zip PyTorch wrote, and the storages under {@code data/} its persistent ids
 * name: torch.save (since 1.6) and torch.jit.save (since 1.3) keep their tensors alike, whatever the pickle
 * holds around them.
 */
final class ZipDataPickle {
    private final TorchZipArchive archive;
    private final ByteOrder order;
    private final ZipStorageIds storageIds = new ZipStorageIds();
    private final Object root;

    /**
     * Loads {@code data.pkl}. A pickle that fails is reported after {@code context} (what the file is, where
     * the rest of the message would not say) and with the record's name.
     */
    ZipDataPickle(TorchZipArchive archive, String context) {
        this.archive = archive;
        this.order = archive.byteOrder();
        String pickleName = archive.prefix() + "data.pkl";
        try {
            root = PickleVm.load(archive.record(pickleName, TorchZipArchive.MAX_PICKLE_BYTES), storageIds);
        } catch (VecnnException e) {
            throw new VecnnException(context + e.getMessage() + " (in record '" + pickleName + "')", e);
        }
    }

    /** What {@code data.pkl} holds: a state dict, a checkpoint, a whole model or a script module tree. */
    Object root() {
        return root;
    }

    /** What reading the file needed that its user should hear of: swapped bytes, storage locations. */
    List<String> notes() {
        List<String> notes = new ArrayList<>();
        if (order == ByteOrder.BIG_ENDIAN) {
            notes.add("the file was written on a big-endian machine; its bytes were swapped");
        }
        notes.addAll(storageIds.notes());
        return notes;
    }

    /** Where the tensors' bytes are: the records under {@code data/}. */
    StorageBytes storages() {
        return new ZipStorages(archive, archive.prefix() + "data/", order);
    }
}
