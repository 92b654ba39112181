package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the persistent ids of the legacy format (torch.save before 1.6):
 * {@code ('storage', storage_type, root_key, location, numel, view_metadata)}, where view_metadata is
 * None or {@code (view_key, offset, size)} for a storage that views part of the root; and
 * {@code ('module', class, source_file, source)}, which stands for the class of a pickled module.
 */
final class LegacyStorageIds implements PersistentLoader {
    private final Map<String, StorageRef> roots = new HashMap<>();
    private final Map<String, StorageRef> views = new HashMap<>();
    private final StorageLocations locations = new StorageLocations();

    @Override
    public Object load(Object pid, int at) {
        if (pid instanceof PickleTuple
                && ((PickleTuple) pid).size() == 4
                && "module".equals(((PickleTuple) pid).get(0))) {
            Object type = ((PickleTuple) pid).get(1);
            if (!(type instanceof GlobalRef) && !(type instanceof PickleCallable)) {
                throw new VecnnException(
                        "persistent id at byte " + at + " names " + PickleValues.describe(type) + " as a module class");
            }
            return type;
        }
        if (!(pid instanceof PickleTuple)
                || ((PickleTuple) pid).size() != 6
                || !"storage".equals(((PickleTuple) pid).get(0))) {
            throw new VecnnException("persistent id at byte " + at + " is " + PickleValues.describe(pid) + " but"
                    + " not ('storage', storage_type, key, location, numel, view) or ('module', class, file, source)");
        }
        PickleTuple id = (PickleTuple) pid;
        Object type = id.get(1);
        if (type instanceof UnsupportedValue) {
            return type;
        }
        StorageRef root = declare(roots, StorageRef.declaredBy(id, at), at);
        Object view = id.get(5);
        if (view == null) {
            return root;
        }
        if (!(view instanceof PickleTuple)
                || ((PickleTuple) view).size() != 3
                || !(((PickleTuple) view).get(0) instanceof String)
                || !(((PickleTuple) view).get(1) instanceof Long)
                || !(((PickleTuple) view).get(2) instanceof Long)) {
            throw new VecnnException("persistent id at byte " + at + " has " + PickleValues.describe(view)
                    + " as its view instead of None or (str key, offset, size)");
        }
        PickleTuple v = (PickleTuple) view;
        long offset = (Long) v.get(1);
        long size = (Long) v.get(2);
        if (offset < 0 || size < 0 || offset > root.numel() || size > root.numel() - offset) {
            throw new VecnnException("storage view '" + PickleGlobals.printable((String) v.get(0)) + "' at byte " + at
                    + " covers elements " + offset + " to " + (offset + size) + " of storage '"
                    + PickleGlobals.printable(root.key()) + "', which holds " + root.numel());
        }
        return declare(
                views, new StorageRef(root.key(), root.dtype(), root.location(), size, offset), (String) v.get(0), at);
    }

    private StorageRef declare(Map<String, StorageRef> known, StorageRef ref, int at) {
        StorageRef declared = declare(known, ref, ref.key(), at);
        if (declared == ref) {
            locations.check(ref.location(), "storage '" + PickleGlobals.printable(ref.key()) + "' (byte " + at + ")");
        }
        return declared;
    }

    private static StorageRef declare(Map<String, StorageRef> known, StorageRef ref, String key, int at) {
        StorageRef earlier = known.putIfAbsent(key, ref);
        if (earlier != null && !earlier.equals(ref)) {
            throw new VecnnException("storage '" + PickleGlobals.printable(key) + "' is declared at byte " + at + " as "
                    + ref.describe() + " but earlier as " + earlier.describe());
        }
        return earlier != null ? earlier : ref;
    }

    /** The root storage declared under a key, or null. */
    StorageRef root(String key) {
        return roots.get(key);
    }

    List<String> notes() {
        return locations.notes();
    }
}
