package io.vecnn.converter.torchfile;

import java.nio.ByteBuffer;

/** Where a file format keeps the bytes of its storages. */
interface StorageBytes {

    /**
     * The whole block stored under the storage's key, ordered as the file's byte order says. Its size is
     * checked against the file before anything is allocated; the caller checks that it holds the storage.
     */
    ByteBuffer block(StorageRef storage);

    /** Names the block for messages: "record 'archive/data/0'", "storage '94020255495056' at byte 14071". */
    String describe(StorageRef storage);
}
