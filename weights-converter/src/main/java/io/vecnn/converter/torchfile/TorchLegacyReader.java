package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.WeightFormat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the legacy format of torch.save (PyTorch 0.1.10 to 1.5, or {@code _use_new_zipfile_serialization=False}):
 * five pickles back to back (magic number, protocol version, sys_info, the object, the list of storage
 * keys), then for each listed key the storage's element count as 8 little-endian bytes followed by its
 * raw little-endian elements.
 */
final class TorchLegacyReader {
    static final BigInteger MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long PROTOCOL_VERSION = 1001;

    private TorchLegacyReader() {}

    static StateDict read(Path file, ReadProgress progress) {
        try (FileBytes bytes = FileBytes.open(file, progress)) {
            try {
                return read(bytes);
            } catch (VecnnException e) {
                throw new VecnnException(file + ": " + e.getMessage(), e);
            }
        }
    }

    private static StateDict read(FileBytes file) {
        PickleInput in = new PickleInput(file.map(0, Math.min(file.size(), FileBytes.MAX_REGION)));
        Object magic = PickleVm.load(in, null);
        if (!MAGIC_NUMBER.equals(magic)) {
            throw new VecnnException("the first pickle holds " + PickleValues.describe(magic)
                    + " other than torch.save's magic number: not a legacy torch.save file");
        }
        int protocolAt = in.position();
        Object protocol = PickleVm.load(in, null);
        if (!Long.valueOf(PROTOCOL_VERSION).equals(protocol)) {
            throw new VecnnException("legacy torch.save protocol version "
                    + (protocol instanceof Long ? protocol : PickleValues.describe(protocol)) + " at byte " + protocolAt
                    + " is not " + PROTOCOL_VERSION);
        }
        int sysInfoAt = in.position();
        if (!(PickleVm.load(in, null) instanceof Map)) {
            throw new VecnnException("the sys_info pickle at byte " + sysInfoAt + " is not a dict");
        }
        LegacyStorageIds ids = new LegacyStorageIds();
        Object root = PickleVm.load(in, ids);
        int keysAt = in.position();
        Map<String, Long> dataAt = storageData(file, PickleVm.load(in, null), keysAt, in.position(), ids);

        ExtractedTensors extracted = StateDictExtractor.extract(root);
        StorageBytes source = new StorageBytes() {
            @Override
            public ByteBuffer block(StorageRef storage) {
                Long at = dataAt.get(storage.key());
                if (at == null) {
                    throw new VecnnException(describe(storage) + " has no data: its key is not in the storage key list"
                            + " at byte " + keysAt);
                }
                StorageRef whole = ids.root(storage.key());
                return file.read(at, whole.numel() * whole.dtype().bytes(), describe(storage));
            }

            @Override
            public String describe(StorageRef storage) {
                Long at = dataAt.get(storage.key());
                return "storage '" + PickleGlobals.printable(storage.key()) + "'"
                        + (at == null ? "" : " at byte " + at);
            }
        };
        return extracted.read(WeightFormat.LEGACY, ids.notes(), source);
    }

    /**
     * Walks the raw storages after the key list, checking each count against the pickle's declaration and
     * the file's length; returns where each storage's elements start.
     */
    private static Map<String, Long> storageData(
            FileBytes file, Object keys, int keysAt, long at, LegacyStorageIds ids) {
        if (!(keys instanceof List)) {
            throw new VecnnException("the storage key pickle at byte " + keysAt + " holds "
                    + PickleValues.describe(keys) + ", not a list");
        }
        Map<String, Long> dataAt = new HashMap<>();
        for (Object key : (List<?>) keys) {
            if (!(key instanceof String)) {
                throw new VecnnException(
                        "the storage key list at byte " + keysAt + " holds " + PickleValues.describe(key));
            }
            String name = "storage '" + PickleGlobals.printable((String) key) + "'";
            StorageRef storage = ids.root((String) key);
            if (storage == null) {
                throw new VecnnException(name + " in the key list at byte " + keysAt + " is used by no tensor");
            }
            if (dataAt.containsKey(key)) {
                throw new VecnnException(name + " is listed twice in the key list at byte " + keysAt);
            }
            long count = file.read(at, 8, "the element count of " + name).getLong();
            if (count != storage.numel()) {
                throw new VecnnException(name + " at byte " + at + " holds " + Long.toUnsignedString(count)
                        + " elements, but the pickle declares " + storage.numel());
            }
            long bytes = count * storage.dtype().bytes();
            if (bytes / storage.dtype().bytes() != count || bytes > file.size() - at - 8) {
                throw new VecnnException("file truncated: " + name + " needs " + count + " "
                        + storage.dtype().name().toLowerCase() + " elements from byte " + (at + 8)
                        + ", but the file ends at byte " + file.size());
            }
            dataAt.put((String) key, at + 8);
            at += 8 + bytes;
        }
        return dataAt;
    }
}
