package io.vecnn.converter.fold;

import io.vecnn.graph.WeightTensor;

/**
 * Eval-mode BatchNorm is {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}, a per-channel affine map
 * {@code y = x * scale + shift}. Right after a convolution it folds exactly into the convolution's weights
 * and bias, so it costs nothing at run time. Computed in double, with the eps of the file's architecture.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {}

    /** A per-channel {@code y = x * scale + shift}. */
    public record Affine(float[] scale, float[] shift) {}

    public static Affine affine(float[] gamma, float[] beta, float[] mean, float[] var, double eps) {
        int c = gamma.length;
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            double s = gamma[i] / Math.sqrt((double) var[i] + eps);
            scale[i] = (float) s;
            shift[i] = (float) (beta[i] - mean[i] * s);
        }
        return new Affine(scale, shift);
    }

    /** Multiplies each output channel's weights (the first dimension) by its scale. */
    public static WeightTensor scaleOutputs(WeightTensor weight, Affine affine) {
        int out = weight.shape()[0];
        int per = weight.data().length / out;
        float[] dst = new float[weight.data().length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < per; i++) {
                dst[o * per + i] = (float) ((double) weight.data()[o * per + i] * affine.scale()[o]);
            }
        }
        return new WeightTensor(weight.shape(), dst);
    }

    /** {@code bias * scale + shift}, with a missing bias taken as zero. */
    public static float[] foldBias(float[] bias, Affine affine) {
        float[] dst = new float[affine.scale().length];
        for (int o = 0; o < dst.length; o++) {
            double b = bias == null ? 0 : bias[o];
            dst[o] = (float) (b * affine.scale()[o] + affine.shift()[o]);
        }
        return dst;
    }
}
