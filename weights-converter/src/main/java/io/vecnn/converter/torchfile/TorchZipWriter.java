package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.modelfile.AtomicWrite;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a {@link StateDict} as the zip torch.save writes, which {@code torch.load} returns as an
 * OrderedDict of tensors. Floating tensors are written as float32 (the values VecNN holds);
 * integer and bool tensors keep their dtype, so {@code num_batches_tracked} stays int64.
 */
public final class TorchZipWriter {
    static final String FOLDER = "archive/";
    /** PyTorch aligns record data to 64 bytes so it can be memory-mapped; torch.load reads either way. */
    static final int ALIGNMENT = 64;

    private static final int LOCAL_HEADER_BYTES = 30;
    /** The extra-field id PyTorch's writer pads with ("FB"). */
    private static final int PADDING_FIELD_ID = 'F' | 'B' << 8;
    /** A fixed timestamp makes the same state dict give the same bytes. */
    private static final long ENTRY_TIME = 1_577_836_800_000L;

    /** The form of the storages' persistent ids in data.pkl. */
    enum StorageIds {
        /** {@code ('storage', storage_type, key, location, numel)}, as PyTorch writes them. */
        FIVE_FIELDS,
        /**
         * {@code ('storage', storage_type, key, location, numel, None)}, as some PyTorch 1.x releases wrote
         * them into TorchScript archives: only for tests, to make such files without an old PyTorch.
         */
        SIX_FIELDS
    }

    private TorchZipWriter() {}

    /** Writes atomically: the target is replaced only once the whole file is on disk. */
    public static void write(StateDict stateDict, Path file) {
        write(stateDict, file, Map.of());
    }

    /**
     * As {@link #write(StateDict, Path)}, with the modules' versions in the state dict's {@code _metadata}, as
     * {@code torch.save(model.state_dict())} keeps them (see {@code Architecture.moduleVersions}).
     */
    public static void write(StateDict stateDict, Path file, Map<String, Integer> moduleVersions) {
        write(stateDict, file, StorageIds.FIVE_FIELDS, moduleVersions);
    }

    static void write(StateDict stateDict, Path file, StorageIds ids) {
        write(stateDict, file, ids, Map.of());
    }

    private static void write(StateDict stateDict, Path file, StorageIds ids, Map<String, Integer> moduleVersions) {
        AtomicWrite.write(file, out -> writeZip(stateDict, out, ids, moduleVersions));
    }

    private static void writeZip(
            StateDict stateDict, OutputStream target, StorageIds ids, Map<String, Integer> moduleVersions)
            throws IOException {
        List<StateDictPickler.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, TorchTensor> e : stateDict.tensors().entrySet()) {
            TorchTensor t = e.getValue();
            entries.add(new StateDictPickler.Entry(
                    e.getKey(), fileType(t.dtype()), t.shape(), Integer.toString(entries.size())));
        }
        CountingOutputStream counted = new CountingOutputStream(target);
        ZipOutputStream zip = new ZipOutputStream(counted);
        putStored(zip, counted, FOLDER + "data.pkl", StateDictPickler.pickle(entries, ids, moduleVersions));
        putStored(zip, counted, FOLDER + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        for (StateDictPickler.Entry entry : entries) {
            TorchTensor t = stateDict.get(entry.key());
            putStored(
                    zip, counted, FOLDER + "data/" + entry.storageKey(), encode(entry.key(), t.data(), entry.dtype()));
        }
        putStored(zip, counted, FOLDER + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        // finish, not close: AtomicWrite owns the stream and syncs it before the rename.
        zip.finish();
    }

    private static DType fileType(DType dtype) {
        return dtype.isFloating() ? DType.FLOAT32 : dtype;
    }

    private static byte[] encode(String key, float[] data, DType dtype) {
        long bytes = (long) data.length * dtype.bytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new VecnnException("key '" + key + "' takes " + bytes + " bytes as "
                    + dtype.name().toLowerCase() + ", more than one record can hold");
        }
        ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) {
            switch (dtype) {
                case FLOAT32 -> b.putFloat(v);
                case INT64 -> b.putLong((long) v);
                case INT32 -> b.putInt((int) v);
                case INT16 -> b.putShort((short) v);
                case INT8, UINT8 -> b.put((byte) v);
                case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
            }
        }
        return b.array();
    }

    private static void putStored(ZipOutputStream zip, CountingOutputStream counted, String name, byte[] data)
            throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        entry.setTime(ENTRY_TIME);
        long dataStart = counted.count() + LOCAL_HEADER_BYTES + name.getBytes(StandardCharsets.UTF_8).length;
        int pad = (int) ((ALIGNMENT - dataStart % ALIGNMENT) % ALIGNMENT);
        if (pad > 0) {
            // An extra field has a 4-byte header, so a gap under 4 bytes takes one more alignment block.
            entry.setExtra(paddingField(pad < 4 ? pad + ALIGNMENT : pad));
        }
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] paddingField(int length) {
        byte[] field = new byte[length];
        field[0] = (byte) PADDING_FIELD_ID;
        field[1] = (byte) (PADDING_FIELD_ID >>> 8);
        field[2] = (byte) (length - 4);
        field[3] = (byte) ((length - 4) >>> 8);
        Arrays.fill(field, 4, length, (byte) 'Z');
        return field;
    }

    /** Counts the bytes written so far, which is where the next local header begins. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        long count() {
            return count;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
