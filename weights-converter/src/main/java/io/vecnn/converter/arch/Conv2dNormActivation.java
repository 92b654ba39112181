package io.vecnn.converter.arch;

/**
 * torchvision's {@code Conv2dNormActivation}, the block of its newer networks: a convolution without bias
 * padded to keep the size ({@code (kernel - 1) / 2}), a BatchNorm (folded into the convolution) and an
 * activation, as {@code nn.Sequential} entries {@code PREFIX.0}, {@code PREFIX.1} and {@code PREFIX.2}.
 */
public final class Conv2dNormActivation {
    private Conv2dNormActivation() {}

    /**
     * @param groups      1, or {@code 0} for a depthwise convolution (as many groups as the input's channels,
     *                    which come from the file)
     * @param bnEps       the BatchNorm's eps: 1e-5 by default, 1e-3 in EfficientNet and MobileNet v3
     */
    public static Value of(
            NetworkBuilder nn,
            String prefix,
            Value x,
            int out,
            int kernel,
            int stride,
            int groups,
            Activation activation,
            double bnEps) {
        int g = groups == 0 ? x.channels() : groups;
        int channels = groups == 0 ? x.channels() : out;
        int pad = (kernel - 1) / 2;
        x = nn.conv2d(prefix + ".0", x, channels, kernel, kernel, stride, stride, pad, pad, g, false);
        x = nn.batchNorm(prefix + ".1", x, bnEps);
        return activation.apply(nn, prefix + ".2", x);
    }
}
