package io.vecnn.converter.arch;

/**
 * torchvision's {@code transform_input} switch of GoogLeNet and Inception v3. Their published weights
 * were ported from TensorFlow and expect inputs scaled to [-1, 1], {@code (x - 0.5) / 0.5}; with the switch
 * on, the network accepts the usual ImageNet normalisation instead and re-maps it first:
 * {@code x[c] * (std[c] / 0.5) + (mean[c] - 0.5) / 0.5}, a per-channel affine map. torchvision turns it on
 * when it loads those weights, so that is the default here too.
 */
public interface TransformInput {

    boolean transformInput();

    /** The same architecture with the switch set. */
    Architecture withTransformInput(boolean transformInput);

    /** {@code x} through the map when the switch is on, else {@code x} itself: the first step of forward. */
    default Value transformed(NetworkBuilder nn, Value x) {
        return transformInput() ? apply(nn, x) : x;
    }

    /**
     * The map as a {@code channel_affine} op on {@code x}. The builder folds it into the next convolution
     * when that has no padding, where the fold is exact; constants computed as torchvision does, in double.
     */
    static Value apply(NetworkBuilder nn, Value x) {
        double[] mean = {0.485, 0.456, 0.406};
        double[] std = {0.229, 0.224, 0.225};
        float[] scale = new float[3];
        float[] shift = new float[3];
        for (int c = 0; c < 3; c++) {
            scale[c] = (float) (std[c] / 0.5);
            shift[c] = (float) ((mean[c] - 0.5) / 0.5);
        }
        return nn.channelAffine("transform_input", x, scale, shift);
    }
}
