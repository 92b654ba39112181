package io.vecnn.converter.synth;

import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.WeightRole;
import io.vecnn.converter.arch.WeightSource;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Seeded random weights for an architecture, at scales a trained network has, so that synthetic models
 * produce activations of realistic size: Kaiming-normal convolutions and Linear layers
 * ({@code std = sqrt(2 / fan_in)}), BatchNorm weights near 0.5 with non-trivial running statistics (near 0.1
 * where a BatchNorm ends a residual branch that asks for it, see {@link WeightRole#RESIDUAL_BN_WEIGHT}).
 * The same seed gives the same state dict, key by key, in the order the architecture asks for them.
 */
public final class SyntheticWeights implements WeightSource {
    private final SplittableRandom random;
    private final Map<String, TorchTensor> tensors = new LinkedHashMap<>();

    private SyntheticWeights(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A full state dict for {@code arch} with a classifier of {@code numClasses} outputs. */
    public static StateDict generate(Architecture arch, long seed, int numClasses) {
        SyntheticWeights source = new SyntheticWeights(seed);
        arch.build(source, arch.defaultInput(), numClasses);
        return new StateDict(source.tensors);
    }

    @Override
    public TorchTensor take(String key, int[] shape, boolean firstDimFree, WeightRole role) {
        int n = (int) TorchTensor.numel(shape);
        float[] data = new float[n];
        int fanIn = shape.length > 1 ? n / shape[0] : 1;
        for (int i = 0; i < n; i++) {
            data[i] = (float) draw(role, fanIn);
        }
        TorchTensor t = new TorchTensor(DType.FLOAT32, shape, data);
        tensors.put(key, t);
        return t;
    }

    @Override
    public void takeOptional(String key, WeightRole role) {
        tensors.put(key, new TorchTensor(DType.INT64, new int[0], new float[] {random.nextInt(1, 100_000)}));
    }

    /** Synthetic weights take every architecture default. */
    @Override
    public Optional<int[]> shapeOf(String key) {
        return Optional.empty();
    }

    /** Training-only heads are written too, as torchvision's constructors include them by default. */
    @Override
    public boolean hasModule(String prefix) {
        return true;
    }

    private double draw(WeightRole role, int fanIn) {
        switch (role) {
            case CONV_WEIGHT:
            case LINEAR_WEIGHT:
                return gaussian() * Math.sqrt(2.0 / fanIn);
            case BN_WEIGHT:
                // Half of unit scale: at 1, EfficientNet V2-S's residual stream grows to 1e6 and its output in
                // float32 differs from float64 by a third, so no engine could be compared on it.
                return 0.5 * (1 + 0.1 * gaussian());
            case RESIDUAL_BN_WEIGHT:
                return 0.1 * (1 + 0.1 * gaussian());
            case LAYER_NORM_WEIGHT:
                return 1 + 0.1 * gaussian();
            case LAYER_SCALE:
                // torchvision initialises it to 1e-6, which would make every block the identity; trained
                // ConvNeXts end with branches scaled by about 0.1 to 1.
                return 0.2 * (1 + 0.1 * gaussian());
            case BN_RUNNING_VAR:
                return 0.5 + random.nextDouble();
            case BIAS:
            case BN_BIAS:
            case BN_RUNNING_MEAN:
                return 0.1 * gaussian();
            default:
                throw new IllegalArgumentException("no synthetic rule for " + role);
        }
    }

    /** Box–Muller, so the sequence depends only on SplittableRandom, which is specified across JDKs. */
    private double gaussian() {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
