package io.vecnn.converter.torchfile;

import io.vecnn.VecnnException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The devices storages were saved from. A storage saved on a GPU holds the same bytes as on the CPU, so
 * it is read as torch.load(map_location='cpu') reads it, and the user hears about it; a storage on the
 * meta device has no bytes at all.
 */
final class StorageLocations {
    /** Device tags as torch writes them: "cpu", "cuda", "cuda:1", "mps", "xla:0"... */
    private static final Pattern DEVICE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,31}(:[0-9]{1,6})?");

    private final Set<String> otherDevices = new TreeSet<>();

    /** Checks a storage's location tag; {@code what} names the storage for messages. */
    void check(String location, String what) {
        if (!DEVICE.matcher(location).matches()) {
            throw new VecnnException(
                    what + " has the location '" + PickleGlobals.printable(location) + "', which is not a device name");
        }
        if (location.equals("meta") || location.startsWith("meta:")) {
            throw new VecnnException(what + " is on the meta device, which saves shapes but no values:"
                    + " there are no weights to read; save the model after loading real weights");
        }
        if (!location.equals("cpu")) {
            otherDevices.add(location);
        }
    }

    List<String> notes() {
        List<String> notes = new ArrayList<>();
        for (String device : otherDevices) {
            notes.add("tensors saved on device '" + device + "' were read from their bytes like CPU tensors"
                    + " (as torch.load with map_location='cpu' does)");
        }
        return notes;
    }
}
