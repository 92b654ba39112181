package io.vecnn.converter.arch;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The state-dict keys an architecture asks for: {@code keys} must all be present, except those under a
 * training-only {@code module}, which may be absent as a whole; {@code optional} keys may be absent
 * one by one (BatchNorm's {@code num_batches_tracked} in old files).
 */
record ExpectedKeys(Set<String> keys, Set<String> optional, Set<String> modules) {

    /** What a file with {@code fileKeys} lacks and has in excess, in key order. */
    Difference against(Collection<String> fileKeys) {
        Set<String> present = Set.copyOf(fileKeys);
        List<String> absentModules = modules.stream()
                .filter(m -> present.stream().noneMatch(k -> k.startsWith(m + ".")))
                .toList();
        List<String> missing = keys.stream()
                .filter(k -> !present.contains(k) && absentModules.stream().noneMatch(m -> k.startsWith(m + ".")))
                .toList();
        List<String> unexpected = fileKeys.stream()
                .filter(k -> !keys.contains(k) && !optional.contains(k))
                .toList();
        return new Difference(missing, unexpected);
    }

    record Difference(List<String> missing, List<String> unexpected) {
        int problems() {
            return missing.size() + unexpected.size();
        }
    }
}
