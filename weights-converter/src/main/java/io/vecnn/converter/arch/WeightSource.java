package io.vecnn.converter.arch;

import io.vecnn.converter.statedict.TorchTensor;

import java.util.Optional;

/**
 * Where an architecture's weights come from while it is built: a state dict being converted, or a
 * generator of synthetic weights. The architecture asks for each key with the shape it expects, in
 * PyTorch layout; only the first dimension (a layer's output width) may be left to the source, which
 * is how channel counts and {@code num_classes} come from the file rather than from a table.
 */
public interface WeightSource {

    /**
     * @param key           the state-dict key, e.g. {@code layer1.0.conv1.weight}
     * @param shape         the expected PyTorch shape; {@code shape[0]} is the default when {@code firstDimFree}
     * @param firstDimFree  whether the source decides the first dimension
     * @return a tensor of the expected shape (a source that finds the key missing or wrong records the
     *         problem and returns zeros, so that every problem of a file is found in one pass)
     */
    TorchTensor take(String key, int[] shape, boolean firstDimFree, WeightRole role);

    /** A bookkeeping tensor that may be absent (BatchNorm's {@code num_batches_tracked} in old files). */
    void takeOptional(String key, WeightRole role);

    /**
     * The shape the source holds for {@code key}, for what an architecture must read from the file rather
     * than assume (GoogLeNet's "5x5" branch is 3x3 in torchvision's weights); empty when the source leaves
     * it to the architecture's default.
     */
    Optional<int[]> shapeOf(String key);

    /**
     * Whether the source holds the module under {@code prefix}: training-only heads are optional as a
     * whole (a GoogLeNet saved with {@code aux_logits=False} has no {@code aux1}).
     */
    boolean hasModule(String prefix);
}
