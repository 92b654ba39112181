package io.vecnn.converter.arch;

/** What a state-dict tensor is for: decides how synthetic weights are drawn for it. */
public enum WeightRole {
    CONV_WEIGHT,
    LINEAR_WEIGHT,
    BIAS,
    BN_WEIGHT,
    /**
     * The weight of a BatchNorm that ends a residual branch, right before the add. Synthetic weights keep it
     * small: their running statistics do not normalise, so each block's gain compounds, and over the 600
     * blocks of a CIFAR ResNet-1202 it would overflow float where trained BatchNorms keep activations bounded.
     */
    RESIDUAL_BN_WEIGHT,
    BN_BIAS,
    BN_RUNNING_MEAN,
    BN_RUNNING_VAR,
    BN_NUM_BATCHES_TRACKED,
    /** A LayerNorm's per-channel scale (its shift is a {@link #BIAS}). */
    LAYER_NORM_WEIGHT,
    /** ConvNeXt's per-channel {@code layer_scale} of a residual branch, {@code [C, 1, 1]}. */
    LAYER_SCALE,
    /** A tensor of a module that only runs in training (an aux head): accepted in the file, not converted. */
    TRAINING_ONLY
}
