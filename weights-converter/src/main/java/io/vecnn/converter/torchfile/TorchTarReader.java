package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.ReadProgress;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.WeightFormat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the tar format of the first PyTorch releases (0.1.x), whose members are:
 * <ul>
 * <li>{@code storages}: a pickled count, then per storage a pickled {@code (key, location, storage_type)}
 * followed by an 8-byte element count and the raw elements; then a pickled list of views
 * {@code (view_key, root_key, offset, numel)};</li>
 * <li>{@code tensors}: a pickled count, then per tensor a pickled {@code (key, storage_key, tensor_type)}
 * followed by its rank (4 bytes, then 4 unused), sizes, strides and storage offset as 8-byte integers;</li>
 * <li>{@code pickle}: the object, whose persistent ids are tensor or storage keys, or for a module class a
 * tuple {@code (class, source_file, source)}.</li>
 * </ul>
 * All integers are little-endian.
 */
final class TorchTarReader {
    private static final String FORMAT = "the tar-based torch.save format of the first PyTorch releases (0.1.x)";

    private final FileBytes file;
    private final Map<String, StorageRef> storages = new HashMap<>();
    private final Map<String, Long> blockAt = new HashMap<>();
    private final Map<String, TensorRef> tensors = new HashMap<>();
    private final StorageLocations locations = new StorageLocations();

    private TorchTarReader(FileBytes file) {
        this.file = file;
    }

    static StateDict read(Path path, ReadProgress progress) {
        try (FileBytes file = FileBytes.open(path, progress)) {
            Map<String, TarArchive.Member> members;
            try {
                members = TarArchive.members(file);
            } catch (TarArchive.Truncated e) {
                throw new VecnnException(
                        "truncated or corrupt tar: " + path + " is in " + FORMAT + ", and " + e.getMessage(), e);
            }
            try {
                return new TorchTarReader(file).read(members);
            } catch (VecnnException e) {
                throw new VecnnException(path + " (" + FORMAT + "): " + e.getMessage(), e);
            }
        }
    }

    private StateDict read(Map<String, TarArchive.Member> members) {
        readStorages(member(members, "storages"));
        readTensors(member(members, "tensors"));
        TarArchive.Member pickle = member(members, "pickle");
        Object root =
                inMember(pickle, () -> PickleVm.load(new PickleInput(TarArchive.map(file, pickle)), this::resolve));

        ExtractedTensors extracted = StateDictExtractor.extract(root);
        StorageBytes source = new StorageBytes() {
            @Override
            public ByteBuffer block(StorageRef storage) {
                StorageRef root = storages.get(storage.key());
                return file.read(
                        blockAt.get(storage.key()), root.numel() * root.dtype().bytes(), describe(storage));
            }

            @Override
            public String describe(StorageRef storage) {
                return "storage '" + storage.key() + "' at byte " + blockAt.get(storage.key());
            }
        };
        return extracted.read(WeightFormat.TAR, locations.notes(), source);
    }

    private static TarArchive.Member member(Map<String, TarArchive.Member> members, String name) {
        TarArchive.Member m = members.get(name);
        if (m == null) {
            throw new VecnnException("the tar has no member '" + name + "' (it has " + members.keySet() + ")");
        }
        return m;
    }

    private void readStorages(TarArchive.Member member) {
        inMember(member, () -> {
            PickleInput in = new PickleInput(TarArchive.map(file, member));
            long count = count(PickleVm.load(in, null), member, in);
            for (long i = 0; i < count; i++) {
                int at = in.position();
                PickleTuple header = tuple(PickleVm.load(in, null), 3, "(key, location, storage type)", at);
                String key = key(header.get(0), at);
                if (!(header.get(1) instanceof String) || !(header.get(2) instanceof DType)) {
                    throw new VecnnException("storage header at byte " + at + " holds "
                            + PickleValues.describe(header.get(1)) + " and " + PickleValues.describe(header.get(2))
                            + " instead of a location and a storage type");
                }
                DType dtype = (DType) header.get(2);
                String location = (String) header.get(1);
                locations.check(location, "storage '" + key + "'");
                long numel = rawLong(in, "the element count of storage '" + key + "'");
                long bytes = numel * dtype.bytes();
                if (numel < 0 || bytes / dtype.bytes() != numel || bytes > in.length() - in.position()) {
                    throw new VecnnException("storage '" + key + "' at byte " + at + " declares "
                            + Long.toUnsignedString(numel) + " " + dtype.name().toLowerCase() + " elements, but only "
                            + (in.length() - in.position()) + " bytes remain in the member");
                }
                if (storages.putIfAbsent(key, new StorageRef(key, dtype, location, numel)) != null) {
                    throw new VecnnException("storage '" + key + "' at byte " + at + " is stored twice");
                }
                blockAt.put(key, member.offset() + in.position());
                in.seek(in.position() + bytes);
            }
            int viewsAt = in.position();
            Object views = PickleVm.load(in, null);
            if (!(views instanceof List)) {
                throw new VecnnException("the storage views at byte " + viewsAt + " are " + PickleValues.describe(views)
                        + ", not a list");
            }
            for (Object v : (List<?>) views) {
                addView(tuple(v, 4, "(view key, root key, offset, numel)", viewsAt), viewsAt);
            }
            return null;
        });
    }

    private void addView(PickleTuple view, int at) {
        String key = key(view.get(0), at);
        StorageRef root = storages.get(key(view.get(1), at));
        if (root == null) {
            throw new VecnnException("storage view '" + key + "' at byte " + at + " views storage '" + view.get(1)
                    + "', which the member does not hold");
        }
        long offset = nonNegative(view.get(2), "offset of view '" + key + "'", at);
        long numel = nonNegative(view.get(3), "size of view '" + key + "'", at);
        if (offset > root.numel() || numel > root.numel() - offset) {
            throw new VecnnException("storage view '" + key + "' at byte " + at + " covers elements " + offset + " to "
                    + (offset + numel) + " of storage '" + root.key() + "', which holds " + root.numel());
        }
        if (storages.putIfAbsent(key, new StorageRef(root.key(), root.dtype(), root.location(), numel, offset))
                != null) {
            throw new VecnnException("storage view '" + key + "' at byte " + at + " reuses the key of another storage");
        }
    }

    private void readTensors(TarArchive.Member member) {
        inMember(member, () -> {
            PickleInput in = new PickleInput(TarArchive.map(file, member));
            long count = count(PickleVm.load(in, null), member, in);
            for (long i = 0; i < count; i++) {
                int at = in.position();
                PickleTuple header = tuple(PickleVm.load(in, null), 3, "(key, storage key, tensor type)", at);
                String key = key(header.get(0), at);
                StorageRef storage = storages.get(key(header.get(1), at));
                if (storage == null) {
                    throw new VecnnException("tensor '" + key + "' at byte " + at + " views storage '" + header.get(1)
                            + "', which the storages member does not hold");
                }
                long rank = rawInt(in, "the rank of tensor '" + key + "'");
                rawInt(in, "the rank of tensor '" + key + "'");
                if (rank < 0 || rank > TensorRebuild.MAX_RANK) {
                    throw new VecnnException("tensor '" + key + "' at byte " + at + " has rank " + rank);
                }
                int[] size = new int[(int) rank];
                long[] stride = new long[(int) rank];
                for (int d = 0; d < rank; d++) {
                    long n = rawLong(in, "the sizes of tensor '" + key + "'");
                    if (n < 0 || n > Integer.MAX_VALUE) {
                        throw new VecnnException(
                                "tensor '" + key + "' at byte " + at + " has size " + n + " in dimension " + d);
                    }
                    size[d] = (int) n;
                }
                for (int d = 0; d < rank; d++) {
                    stride[d] = nonNegative(
                            rawLong(in, "the strides of tensor '" + key + "'"),
                            "stride " + d + " of tensor '" + key + "'",
                            at);
                }
                long offset = nonNegative(
                        rawLong(in, "the offset of tensor '" + key + "'"), "offset of tensor '" + key + "'", at);
                if (tensors.putIfAbsent(key, new TensorRef(storage, offset, size, stride)) != null) {
                    throw new VecnnException("tensor '" + key + "' at byte " + at + " is stored twice");
                }
            }
            return null;
        });
    }

    /** The main pickle's persistent ids: a tensor or storage key, or a module class with its source. */
    private Object resolve(Object pid, int at) {
        if (pid instanceof PickleTuple && ((PickleTuple) pid).size() == 3) {
            return ((PickleTuple) pid).get(0);
        }
        String key = key(pid, at);
        Object found = tensors.containsKey(key) ? tensors.get(key) : storages.get(key);
        if (found == null) {
            throw new VecnnException("persistent id '" + key + "' at byte " + at + " names no tensor or storage");
        }
        return found;
    }

    /** Keys are ints written by Python; the main pickle refers to them as str, so both compare as text. */
    private static String key(Object v, int at) {
        if (v instanceof Long) {
            return v.toString();
        }
        if (v instanceof String && ((String) v).matches("-?[0-9]{1,20}")) {
            return Long.toString(Long.parseLong((String) v));
        }
        throw new VecnnException("key at byte " + at + " is " + PickleValues.describe(v) + ", not an int");
    }

    private static long count(Object v, TarArchive.Member member, PickleInput in) {
        // Every entry takes at least a few bytes, so a count beyond the member's size cannot be honest.
        if (!(v instanceof Long) || (Long) v < 0 || (Long) v > in.length() - in.position()) {
            throw new VecnnException("the member '" + member.name() + "' starts with "
                    + (v instanceof Long ? v : PickleValues.describe(v)) + " instead of a count its " + member.size()
                    + " bytes can hold");
        }
        return (Long) v;
    }

    private static PickleTuple tuple(Object v, int size, String what, int at) {
        if (!(v instanceof PickleTuple) || ((PickleTuple) v).size() != size) {
            throw new VecnnException(
                    "the pickle at byte " + at + " holds " + PickleValues.describe(v) + " instead of " + what);
        }
        return (PickleTuple) v;
    }

    private static long nonNegative(Object v, String what, int at) {
        if (!(v instanceof Long) || (Long) v < 0) {
            throw new VecnnException(what + " at byte " + at + " is "
                    + (v instanceof Long ? v : PickleValues.describe(v)) + ", not a non-negative int");
        }
        return (Long) v;
    }

    private static long rawLong(PickleInput in, String what) {
        need(in, 8, what);
        return in.s64();
    }

    private static long rawInt(PickleInput in, String what) {
        need(in, 4, what);
        return in.s32();
    }

    private static void need(PickleInput in, int n, String what) {
        if (in.length() - in.position() < n) {
            throw new VecnnException("the member ends at byte " + in.length() + " before " + what);
        }
    }

    /** Names the member in the messages of what fails while reading it. */
    private static <T> T inMember(TarArchive.Member member, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (VecnnException e) {
            throw new VecnnException(
                    e.getMessage() + " (in tar member '" + member.name() + "', which starts at byte " + member.offset()
                            + ")",
                    e);
        }
    }
}
