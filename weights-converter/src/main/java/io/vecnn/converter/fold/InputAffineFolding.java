package io.vecnn.converter.fold;

import io.vecnn.converter.statedict.TorchTensor;

/**
 * A per-channel affine map {@code x[c] * scale[c] + shift[c]} right before a convolution without padding
 * folds exactly into it: {@code conv_w(x * s + t) = conv_{w * s}(x) + sum(w * t)}, because every tap of
 * the kernel reads a real, mapped pixel. With padding the fold would be wrong at the borders: the padded
 * zeros are not mapped, but the folded weights would treat them as if they were.
 */
public final class InputAffineFolding {
    private InputAffineFolding() {}

    /**
     * @param weight PyTorch's {@code [out][in/groups][kh][kw]}
     * @param bias   the convolution's bias, or null for none
     * @return the folded weight (same layout) and bias
     */
    public static Folded fold(TorchTensor weight, float[] bias, int groups, float[] scale, float[] shift) {
        int out = weight.dim(0);
        int inPerGroup = weight.dim(1);
        int taps = weight.dim(2) * weight.dim(3);
        int outPerGroup = out / groups;
        float[] w = weight.data();
        float[] dst = new float[w.length];
        float[] newBias = new float[out];
        for (int o = 0; o < out; o++) {
            double b = bias == null ? 0 : bias[o];
            for (int i = 0; i < inPerGroup; i++) {
                int c = (o / outPerGroup) * inPerGroup + i;
                for (int t = 0; t < taps; t++) {
                    int at = (o * inPerGroup + i) * taps + t;
                    dst[at] = (float) ((double) w[at] * scale[c]);
                    b += (double) w[at] * shift[c];
                }
            }
            newBias[o] = (float) b;
        }
        return new Folded(new TorchTensor(weight.dtype(), weight.shape(), dst), newBias);
    }

    /** The convolution's weight and bias with the affine map folded in. */
    public record Folded(TorchTensor weight, float[] bias) {}
}
