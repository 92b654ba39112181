package io.vecnn.converter.arch;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.StateDict;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code --arch auto}: which built-in architecture a state dict holds, told by its keys. Every built-in
 * asks for a different set of keys (the family by its module names, the depth by its block and layer
 * indices, {@code _bn} by the BatchNorm entries between convolutions), so the one whose keys the file
 * has exactly is the answer. Shapes are then checked by the conversion, which takes widths and
 * {@code num_classes} from them. A file no built-in matches gets the closest one and what differs.
 */
public final class ArchitectureRecognition {
    private static final int SHOWN = 5;
    private static final int RUNNERS_UP = 3;

    private ArchitectureRecognition() {}

    /** The architecture and a one-line account of how it was recognised. */
    public record Recognised(Architecture architecture, String summary) {}

    /** @throws VecnnException naming the closest built-in and the keys that differ */
    public static Recognised recognise(StateDict stateDict) {
        List<Candidate> candidates = new ArrayList<>();
        for (String name : Architectures.names()) {
            Architecture arch = Architectures.get(name);
            candidates.add(new Candidate(arch, DryBuild.keys(arch).against(stateDict.keys())));
        }
        // Members whose keys are the same (EfficientNet-B1 and B2) are told apart by their widths.
        candidates.sort(Comparator.comparingInt((Candidate c) -> c.difference().problems())
                .thenComparing(c -> !c.architecture().hasWidthsOf(stateDict)));
        Candidate best = candidates.get(0);
        if (best.difference().problems() == 0) {
            return new Recognised(
                    best.architecture(),
                    String.format(
                            "recognised %s (%s): all %d keys match",
                            best.architecture().name(), best.architecture().description(), stateDict.size()));
        }
        throw new VecnnException("no built-in architecture has the keys of this state dict; closest is "
                + best.architecture().name() + " (" + best.architecture().description() + "): "
                + describe(best.difference()) + "; next: "
                + candidates.subList(1, 1 + RUNNERS_UP).stream()
                        .map(c ->
                                c.architecture().name() + " (" + c.difference().problems() + " keys differ)")
                        .collect(Collectors.joining(", ")));
    }

    private record Candidate(Architecture architecture, ExpectedKeys.Difference difference) {}

    private static String describe(ExpectedKeys.Difference d) {
        List<String> parts = new ArrayList<>();
        if (!d.missing().isEmpty()) {
            parts.add(d.missing().size() + " missing key(s): " + firstFew(d.missing()));
        }
        if (!d.unexpected().isEmpty()) {
            parts.add(d.unexpected().size() + " unexpected key(s): " + firstFew(d.unexpected()));
        }
        return String.join("; ", parts);
    }

    private static String firstFew(List<String> keys) {
        String shown = String.join(", ", keys.subList(0, Math.min(SHOWN, keys.size())));
        return keys.size() > SHOWN ? shown + " and " + (keys.size() - SHOWN) + " more" : shown;
    }
}
