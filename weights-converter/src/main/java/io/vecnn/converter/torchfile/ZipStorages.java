package io.vecnn.converter.torchfile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Storages kept as records of a zip, one per key under a folder ({@code archive/data/}, {@code tensors/}...). */
final class ZipStorages implements StorageBytes {
    private final TorchZipArchive archive;
    private final String folder;
    private final ByteOrder order;

    ZipStorages(TorchZipArchive archive, String folder, ByteOrder order) {
        this.archive = archive;
        this.folder = folder;
        this.order = order;
    }

    @Override
    public ByteBuffer block(StorageRef storage) {
        return archive.block(folder + storage.key(), order);
    }

    @Override
    public String describe(StorageRef storage) {
        return "record '" + folder + PickleGlobals.printable(storage.key()) + "'";
    }
}
