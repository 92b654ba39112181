package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the persistent ids of the zip format (torch.save and torch.jit.save alike),
 * {@code ('storage', storage_type, key, location, numel)}, to {@link StorageRef}s whose bytes live in
 * the record {@code data/<key>}.
 */
final class ZipStorageIds implements PersistentLoader {
    private final Map<String, StorageRef> byKey = new HashMap<>();
    private final StorageLocations locations = new StorageLocations();

    @Override
    public Object load(Object pid, int at) {
        if (!(pid instanceof PickleTuple)
                || ((PickleTuple) pid).size() != 5
                || !"storage".equals(((PickleTuple) pid).get(0))) {
            throw new VecnnException("persistent id at byte " + at + " is " + PickleValues.describe(pid)
                    + " but not ('storage', storage_type, key, location, numel)");
        }
        PickleTuple id = (PickleTuple) pid;
        Object type = id.get(1);
        if (type instanceof UnsupportedValue) {
            return type;
        }
        StorageRef ref = StorageRef.declaredBy(id, at);
        StorageRef earlier = byKey.putIfAbsent(ref.key(), ref);
        if (earlier != null && !earlier.equals(ref)) {
            throw new VecnnException("storage '" + ref.key() + "' is declared at byte " + at + " as " + ref.describe()
                    + " but earlier as " + earlier.describe());
        }
        if (earlier == null) {
            locations.check(ref.location(), "storage '" + PickleGlobals.printable(ref.key()) + "' (byte " + at + ")");
        }
        return earlier != null ? earlier : ref;
    }

    List<String> notes() {
        return locations.notes();
    }
}
