package io.vecnn.converter.arch;

/**
 * torchvision's MobileNet v3, large and small: a hardswish stem, inverted residual blocks (an optional 1x1
 * expansion, a 3x3 or 5x5 depthwise convolution, an optional squeeze-and-excitation gated by hardsigmoid, a
 * linear 1x1 projection; ReLU or hardswish inside), a 1x1 convolution to six times the last width, global
 * average pool, and a classifier of two Linear layers with hardswish between. BatchNorm eps is 1e-3. Keys are
 * torchvision's ({@code features.4.block.2.fc1}, {@code classifier.3}).
 */
public final class MobileNetV3 implements Architecture {
    private static final double BN_EPS = 1e-3;

    /** A block: input, kernel, expanded and output widths, squeeze-and-excitation, hardswish, stride. */
    private record Block(int in, int kernel, int expanded, int out, boolean se, boolean hardswish, int stride) {}

    private static final Block[] LARGE = {
        new Block(16, 3, 16, 16, false, false, 1),
        new Block(16, 3, 64, 24, false, false, 2),
        new Block(24, 3, 72, 24, false, false, 1),
        new Block(24, 5, 72, 40, true, false, 2),
        new Block(40, 5, 120, 40, true, false, 1),
        new Block(40, 5, 120, 40, true, false, 1),
        new Block(40, 3, 240, 80, false, true, 2),
        new Block(80, 3, 200, 80, false, true, 1),
        new Block(80, 3, 184, 80, false, true, 1),
        new Block(80, 3, 184, 80, false, true, 1),
        new Block(80, 3, 480, 112, true, true, 1),
        new Block(112, 3, 672, 112, true, true, 1),
        new Block(112, 5, 672, 160, true, true, 2),
        new Block(160, 5, 960, 160, true, true, 1),
        new Block(160, 5, 960, 160, true, true, 1)
    };

    private static final Block[] SMALL = {
        new Block(16, 3, 16, 16, true, false, 2),
        new Block(16, 3, 72, 24, false, false, 2),
        new Block(24, 3, 88, 24, false, false, 1),
        new Block(24, 5, 96, 40, true, true, 2),
        new Block(40, 5, 240, 40, true, true, 1),
        new Block(40, 5, 240, 40, true, true, 1),
        new Block(40, 5, 120, 48, true, true, 1),
        new Block(48, 5, 144, 48, true, true, 1),
        new Block(48, 5, 288, 96, true, true, 2),
        new Block(96, 5, 576, 96, true, true, 1),
        new Block(96, 5, 576, 96, true, true, 1)
    };

    private final ArchitectureInfo info;
    private final Block[] blocks;
    private final int lastChannel;

    private MobileNetV3(ArchitectureInfo info, Block[] blocks, int lastChannel) {
        this.info = info;
        this.blocks = blocks;
        this.lastChannel = lastChannel;
    }

    public static MobileNetV3 large() {
        return new MobileNetV3(
                ArchitectureInfo.imageNet("mobilenet_v3_large", "MobileNet v3 large, 15 inverted residual blocks"),
                LARGE,
                1280);
    }

    public static MobileNetV3 small() {
        return new MobileNetV3(
                ArchitectureInfo.imageNet("mobilenet_v3_small", "MobileNet v3 small, 11 inverted residual blocks"),
                SMALL,
                1024);
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = Conv2dNormActivation.of(nn, "features.0", x, blocks[0].in(), 3, 2, 1, Activation.HARDSWISH, BN_EPS);
        for (int i = 0; i < blocks.length; i++) {
            x = invertedResidual(nn, "features." + (i + 1) + ".block", x, blocks[i]);
        }
        int last = blocks[blocks.length - 1].out() * 6;
        x = Conv2dNormActivation.of(
                nn, "features." + (blocks.length + 1), x, last, 1, 1, 1, Activation.HARDSWISH, BN_EPS);
        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        x = nn.linear("classifier.0", x, lastChannel, true);
        x = Activation.HARDSWISH.apply(nn, "classifier.1", x);
        return nn.linear("classifier.3", x, numClasses, true);
    }

    /** torchvision's {@code InvertedResidual}; the layers of {@code block} are numbered as they are present. */
    private static Value invertedResidual(NetworkBuilder nn, String p, Value x, Block b) {
        Activation act = b.hardswish() ? Activation.HARDSWISH : Activation.RELU;
        Value y = x;
        int layer = 0;
        if (b.expanded() != b.in()) {
            y = Conv2dNormActivation.of(nn, p + "." + layer++, y, b.expanded(), 1, 1, 1, act, BN_EPS);
        }
        y = Conv2dNormActivation.of(nn, p + "." + layer++, y, y.channels(), b.kernel(), b.stride(), 0, act, BN_EPS);
        if (b.se()) {
            int squeeze = MakeDivisible.of(b.expanded() / 4);
            y = SqueezeExcitation.of(nn, p + "." + layer++, y, squeeze, Activation.RELU, Activation.HARDSIGMOID);
        }
        y = Conv2dNormActivation.of(nn, p + "." + layer, y, b.out(), 1, 1, 1, Activation.NONE, BN_EPS);
        boolean residual = b.stride() == 1 && b.in() == b.out();
        return residual ? nn.add(p + ".add", x, y) : y;
    }
}
