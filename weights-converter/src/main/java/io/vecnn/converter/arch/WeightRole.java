package io.vecnn.converter.arch;

/** What a state-dict tensor is for: decides how synthetic weights are drawn for it. */
public enum WeightRole {
    CONV_WEIGHT,
    LINEAR_WEIGHT,
    BIAS,
    BN_WEIGHT,
    BN_BIAS,
    BN_RUNNING_MEAN,
    BN_RUNNING_VAR,
    BN_NUM_BATCHES_TRACKED,
    /** A tensor of a module that only runs in training (an aux head): accepted in the file, not converted. */
    TRAINING_ONLY
}
