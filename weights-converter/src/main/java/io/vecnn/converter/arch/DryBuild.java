package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.TorchTensor;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds an architecture on stand-in weights in which every layer is one channel wide: it costs next to
 * nothing whatever the real network's size, and tells which keys the architecture asks for and whether an
 * input size fits it.
 */
final class DryBuild implements WeightSource {
    /** Every key asked for, with the shape asked for. */
    final Map<String, int[]> taken = new LinkedHashMap<>();

    private final Set<String> optional = new LinkedHashSet<>();
    private final Set<String> modules = new LinkedHashSet<>();

    private DryBuild() {}

    /** The keys {@code arch} asks for at its default input size. */
    static ExpectedKeys keys(Architecture arch) {
        DryBuild dry = run(arch, arch.defaultInput());
        return new ExpectedKeys(dry.taken.keySet(), dry.optional, dry.modules);
    }

    /** Builds {@code arch} at {@code input}; an {@link InputSizeException} if the size does not fit. */
    static DryBuild run(Architecture arch, Shape input) {
        DryBuild dry = new DryBuild();
        arch.build(dry, input, 1);
        return dry;
    }

    @Override
    public TorchTensor take(String key, int[] shape, boolean firstDimFree, WeightRole role) {
        int[] s = shape.clone();
        if (firstDimFree) {
            s[0] = 1;
        }
        taken.put(key, s);
        return new TorchTensor(DType.FLOAT32, s, new float[(int) TorchTensor.numel(s)]);
    }

    @Override
    public void takeOptional(String key, WeightRole role) {
        optional.add(key);
    }

    @Override
    public Optional<int[]> shapeOf(String key) {
        return Optional.empty();
    }

    /** Every training-only head is built, and noted as optional as a whole. */
    @Override
    public boolean hasModule(String prefix) {
        modules.add(prefix);
        return true;
    }
}
