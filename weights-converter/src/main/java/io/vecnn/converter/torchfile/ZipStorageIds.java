package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves the persistent ids of the zip format (torch.save and torch.jit.save alike),
 * {@code ('storage', storage_type, key, location, numel)}, to {@link StorageRef}s whose bytes live in
 * the record {@code data/<key>}. Some PyTorch 1.x releases wrote a sixth field, None (a TorchScript file
 * of an Android app has it), which PyTorch's C++ loader, torch.jit.load, ignores: it is read when it is
 * None and refused otherwise, as are longer ids.
 */
final class ZipStorageIds implements PersistentLoader {
    private final Map<String, StorageRef> byKey = new HashMap<>();
    private final StorageLocations locations = new StorageLocations();

    @Override
    public Object load(Object pid, int at) {
        if (!(pid instanceof PickleTuple)
                || ((PickleTuple) pid).size() < 5
                || ((PickleTuple) pid).size() > 6
                || !"storage".equals(((PickleTuple) pid).get(0))) {
            throw new VecnnException("persistent id at byte " + at + " is " + PickleValues.describe(pid)
                    + describeSize(pid) + " but not ('storage', storage_type, key, location, numel)"
                    + " or ('storage', storage_type, key, location, numel, None)");
        }
        PickleTuple id = (PickleTuple) pid;
        if (id.size() == 6 && id.get(5) != null) {
            Object key = id.get(2);
            throw new VecnnException("persistent id of storage "
                    + (key instanceof String
                            ? "'" + PickleGlobals.printable((String) key) + "'"
                            : "with " + PickleValues.describe(key) + " as its key")
                    + " at byte " + at + " has " + PickleValues.describe(id.get(5))
                    + " as its sixth field, where the zip format has None or nothing");
        }
        Object type = id.get(1);
        if (type instanceof UnsupportedValue) {
            return type;
        }
        StorageRef ref = StorageRef.declaredBy(id, at);
        StorageRef earlier = byKey.putIfAbsent(ref.key(), ref);
        if (earlier != null && !earlier.equals(ref)) {
            throw new VecnnException("storage '" + PickleGlobals.printable(ref.key()) + "' is declared at byte " + at
                    + " as " + ref.describe() + " but earlier as " + earlier.describe());
        }
        if (earlier == null) {
            locations.check(ref.location(), "storage '" + PickleGlobals.printable(ref.key()) + "' (byte " + at + ")");
        }
        return earlier != null ? earlier : ref;
    }

    /** " of 7 fields" for a tuple, so a message tells a longer id from a wrong one. */
    private static String describeSize(Object pid) {
        if (!(pid instanceof PickleTuple)) {
            return "";
        }
        int size = ((PickleTuple) pid).size();
        return " of " + size + (size == 1 ? " field" : " fields");
    }

    List<String> notes() {
        return locations.notes();
    }
}
