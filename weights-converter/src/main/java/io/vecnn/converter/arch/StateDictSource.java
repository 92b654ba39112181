package io.vecnn.converter.arch;

import io.vecnn.VecnnException;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Weights from a state dict, checked like PyTorch's {@code load_state_dict(strict=True)}: every key the
 * architecture asks for must be present with the expected shape, and every key of the file must be asked
 * for. All problems are collected, then reported together by {@link #verify(String)}.
 */
public final class StateDictSource implements WeightSource {
    private static final int LISTED = 8;
    private final StateDict stateDict;
    private final Set<String> used = new LinkedHashSet<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> mismatched = new ArrayList<>();
    /**
     * Zeros allocated in place of missing or mis-shaped weights, at most 512 MB: more than the largest weight
     * of the architectures here (VGG's first classifier layer, 103 M values).
     */
    private static final long MAX_STAND_IN_VALUES = 1L << 27;

    private long standInValues;
    /** Why the check ended before the architecture had asked for every key, or null when it did not. */
    private String stoppedAt;

    /**
     * The architecture asked for a weight the file lacks (or has mis-shaped) and whose stand-in zeros would not
     * fit in memory: building cannot go on, and {@link #verify} reports what the check found up to there.
     */
    public static final class CheckStopped extends RuntimeException {
        private CheckStopped() {
            super(null, null, false, false);
        }
    }

    public StateDictSource(StateDict stateDict) {
        this.stateDict = stateDict;
    }

    @Override
    public TorchTensor take(String key, int[] shape, boolean firstDimFree, WeightRole role) {
        used.add(key);
        TorchTensor t = stateDict.get(key);
        if (t == null) {
            missing.add(key);
            return standIn(key, shape);
        }
        int[] expected = shape.clone();
        if (firstDimFree && t.rank() == expected.length && t.rank() > 0 && t.dim(0) > 0) {
            expected[0] = t.dim(0);
        }
        if (!Arrays.equals(t.shape(), expected)) {
            mismatched.add(key + " is " + t.shapeString() + ", expected " + Arrays.toString(expected));
            return standIn(key, expected);
        }
        if (!t.dtype().isFloating()) {
            mismatched.add(key + " holds " + t.dtype() + " values, expected floating point");
        }
        return t;
    }

    @Override
    public void takeOptional(String key, WeightRole role) {
        used.add(key);
    }

    @Override
    public Optional<int[]> shapeOf(String key) {
        TorchTensor t = stateDict.get(key);
        return t == null ? Optional.empty() : Optional.of(t.shape());
    }

    @Override
    public boolean hasModule(String prefix) {
        return stateDict.keys().stream().anyMatch(k -> k.startsWith(prefix + "."));
    }

    /**
     * Throws one error listing every missing, unexpected and mis-shaped key; does nothing when the file fits.
     * After a {@link CheckStopped}, the lists cover the keys up to where the check stopped, and the error says so.
     */
    public void verify(String architecture) {
        List<String> unexpected =
                stateDict.keys().stream().filter(k -> !used.contains(k)).toList();
        if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty() && stoppedAt == null) {
            return;
        }
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) {
            parts.add(missing.size() + " missing key(s): " + list(missing));
        }
        if (!unexpected.isEmpty()) {
            parts.add(unexpected.size()
                    + (stoppedAt == null ? " unexpected key(s): " : " key(s) not asked for: ")
                    + list(unexpected));
        }
        if (!mismatched.isEmpty()) {
            parts.add(mismatched.size() + " shape mismatch(es): " + list(mismatched));
        }
        if (stoppedAt != null) {
            parts.add(stoppedAt);
        }
        throw new VecnnException("state dict does not match " + architecture + ": " + String.join("; ", parts));
    }

    private static String list(List<String> items) {
        String shown = String.join(", ", items.subList(0, Math.min(LISTED, items.size())));
        return items.size() > LISTED ? shown + " and " + (items.size() - LISTED) + " more" : shown;
    }

    /**
     * Zeros in place of a missing or mis-shaped weight, so that building goes on and {@link #verify} lists every
     * problem at once. Past {@link #MAX_STAND_IN_VALUES} (a spec's Linear after a flattened 20000x20000 map, or
     * VGG's classifier asked of another network's file) standing in would overflow an array or the heap: the
     * check stops there ({@link CheckStopped}) and reports what it found so far.
     */
    private TorchTensor standIn(String key, int[] shape) {
        long values = 1;
        for (int d : shape) {
            values = d < 0 || values > MAX_STAND_IN_VALUES ? Long.MAX_VALUE : values * d;
        }
        standInValues = values > MAX_STAND_IN_VALUES ? values : standInValues + values;
        if (standInValues > MAX_STAND_IN_VALUES) {
            stoppedAt = "the check stopped at '" + key + "': zeros of shape " + Arrays.toString(shape)
                    + " to stand in for it would not fit in memory, so the keys after it were not checked";
            throw new CheckStopped();
        }
        return new TorchTensor(DType.FLOAT32, shape, new float[(int) values]);
    }
}
