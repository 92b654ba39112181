package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.ReadProgress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Random access to a file of the legacy and tar formats, whose pickles and raw storages follow each other:
 * pickles are read from a memory map (nothing is copied until a value needs it), storages are copied into
 * exactly sized buffers after their extent has been checked against the file's length.
 */
final class FileBytes implements AutoCloseable {
    /** The largest region one map (and one Java buffer) covers. */
    static final long MAX_REGION = Integer.MAX_VALUE - 8;

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final ReadProgress progress;

    private FileBytes(Path file, FileChannel channel, long size, ReadProgress progress) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.progress = progress;
    }

    static FileBytes open(Path file, ReadProgress progress) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            return new FileBytes(file, channel, channel.size(), progress);
        } catch (IOException e) {
            throw new VecnnException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    long size() {
        return size;
    }

    /** A read-only map of {@code [offset, offset + length)}, which the caller has checked lies in the file. */
    ByteBuffer map(long offset, long length) {
        if (offset < 0 || length < 0 || length > MAX_REGION || offset + length > size) {
            throw new VecnnException("bytes " + offset + " to " + (offset + length) + " lie outside the file's " + size
                    + " bytes or exceed " + MAX_REGION);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new VecnnException("cannot map " + file + ": " + e.getMessage(), e);
        }
    }

    /** Copies {@code length} bytes from {@code offset}, little-endian; {@code what} names them if they are not there. */
    ByteBuffer read(long offset, long length, String what) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new VecnnException("file truncated: " + what + " needs " + length + " bytes from byte " + offset
                    + ", but the file ends at byte " + size);
        }
        if (length > MAX_REGION) {
            throw new VecnnException(what + " takes " + length + " bytes, more than a Java array holds");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new VecnnException(
                            "file truncated while reading " + what + " at byte " + (offset + buffer.position()));
                }
            }
        } catch (IOException e) {
            throw new VecnnException("cannot read " + what + " from " + file + ": " + e.getMessage(), e);
        }
        progress.advance(length);
        return buffer.flip();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a file opened for reading loses nothing; the read's own outcome is what matters.
        }
    }
}
