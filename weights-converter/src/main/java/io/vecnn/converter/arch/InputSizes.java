package io.vecnn.converter.arch;

import io.vecnn.Shape;

import java.util.Arrays;
import java.util.Optional;

/** Which input sizes an architecture takes, found by dry builds (see {@link DryBuild}). */
public final class InputSizes {
    private InputSizes() {}

    /**
     * Whether {@code arch} takes inputs of size {@code input}: no layer collapses, and every weight has the
     * shape it has at the default size (a Linear right after a flatten fixes the size of the map before it).
     */
    public static boolean fits(Architecture arch, Shape input) {
        return fits(arch, DryBuild.run(arch, arch.defaultInput()), input);
    }

    /** The smallest square input {@code arch} takes with its default number of channels, if any. */
    public static Optional<Shape> smallestSquare(Architecture arch) {
        Shape d = arch.defaultInput();
        DryBuild reference = DryBuild.run(arch, d);
        for (int size = 1; size <= Math.max(d.height(), d.width()); size++) {
            Shape s = new Shape(d.channels(), size, size);
            if (fits(arch, reference, s)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private static boolean fits(Architecture arch, DryBuild reference, Shape input) {
        try {
            DryBuild dry = DryBuild.run(arch, input);
            return reference.taken.keySet().stream()
                    .allMatch(k -> Arrays.equals(reference.taken.get(k), dry.taken.get(k)));
        } catch (InputSizeException e) {
            return false;
        }
    }
}
