package io.vecnn.converter.arch;

/**
 * torchvision's MobileNet v2: a 3x3 stride-2 stem, 17 inverted residual blocks (1x1 expansion, 3x3
 * depthwise, 1x1 linear projection; ReLU6 after the first two; the input added back where stride and width
 * allow), a 1x1 convolution to 1280 channels, global average pool and one Linear. Keys are torchvision's
 * ({@code features.2.conv.1.0}, {@code classifier.1}); widths, and so any {@code width_mult}, come from the file.
 */
public final class MobileNetV2 implements Architecture {
    private static final double BN_EPS = 1e-5;
    /** torchvision's inverted_residual_setting: expansion t, output channels c, blocks n, first stride s. */
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}
    };

    private static final ArchitectureInfo INFO =
            ArchitectureInfo.imageNet("mobilenet_v2", "MobileNet v2, 17 inverted residual blocks");

    @Override
    public ArchitectureInfo info() {
        return INFO;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = Conv2dNormActivation.of(nn, "features.0", x, 32, 3, 2, 1, Activation.RELU6, BN_EPS);
        int index = 1;
        int width = 32;
        for (int[] s : SETTING) {
            for (int i = 0; i < s[2]; i++) {
                int stride = i == 0 ? s[3] : 1;
                boolean residual = stride == 1 && width == s[1];
                x = invertedResidual(nn, "features." + index++, x, s[1], stride, s[0], residual);
                width = s[1];
            }
        }
        x = Conv2dNormActivation.of(nn, "features." + index, x, 1280, 1, 1, 1, Activation.RELU6, BN_EPS);
        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("classifier.1", x, numClasses, true);
    }

    /**
     * {@code InvertedResidual(inp, oup, stride, expand_ratio)}, with the input added back when stride is 1 and the
     * width does not change, as torchvision decides it on the nominal widths.
     */
    private static Value invertedResidual(
            NetworkBuilder nn, String p, Value x, int out, int stride, int expand, boolean residual) {
        Value y = x;
        int layer = 0;
        if (expand != 1) {
            y = Conv2dNormActivation.of(
                    nn, p + ".conv." + layer++, y, x.channels() * expand, 1, 1, 1, Activation.RELU6, BN_EPS);
        }
        y = Conv2dNormActivation.of(
                nn, p + ".conv." + layer++, y, y.channels(), 3, stride, 0, Activation.RELU6, BN_EPS);
        y = nn.conv2d(p + ".conv." + layer, y, out, 1, 1, 0, false);
        y = nn.batchNorm(p + ".conv." + (layer + 1), y, BN_EPS);
        return residual ? nn.add(p + ".add", x, y) : y;
    }
}
