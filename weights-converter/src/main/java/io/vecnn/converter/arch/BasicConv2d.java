package io.vecnn.converter.arch;

/**
 * torchvision's {@code BasicConv2d} of GoogLeNet and Inception v3: a convolution without bias, a
 * BatchNorm with eps 1e-3 (not PyTorch's default 1e-5; these weights were ported from TensorFlow), then
 * ReLU. Keys {@code PREFIX.conv.weight} and {@code PREFIX.bn.*}; the BatchNorm folds into the conv.
 */
public final class BasicConv2d {
    private static final double BN_EPS = 1e-3;

    private BasicConv2d() {}

    /** {@code conv_block(in, out, kernel_size=kernel)}: stride 1, no padding. */
    public static Value of(NetworkBuilder nn, String prefix, Value x, int out, int kernel) {
        return of(nn, prefix, x, out, kernel, 1, 0);
    }

    /** {@code conv_block(in, out, kernel_size=kernel, stride=stride, padding=padding)}. */
    public static Value of(NetworkBuilder nn, String prefix, Value x, int out, int kernel, int stride, int padding) {
        return build(nn, prefix, x, out, kernel, kernel, stride, padding, padding);
    }

    /** {@code conv_block(in, out, kernel_size=(kernelH, kernelW), padding=(padH, padW))}, Inception v3's 1x7, 7x1, 1x3, 3x1. */
    public static Value of(
            NetworkBuilder nn, String prefix, Value x, int out, int kernelH, int kernelW, int padH, int padW) {
        return build(nn, prefix, x, out, kernelH, kernelW, 1, padH, padW);
    }

    private static Value build(
            NetworkBuilder nn,
            String prefix,
            Value x,
            int out,
            int kernelH,
            int kernelW,
            int stride,
            int padH,
            int padW) {
        x = nn.conv2d(prefix + ".conv", x, out, kernelH, kernelW, stride, stride, padH, padW, 1, false);
        x = nn.batchNorm(prefix + ".bn", x, BN_EPS);
        return nn.relu(prefix + ".relu", x);
    }
}
