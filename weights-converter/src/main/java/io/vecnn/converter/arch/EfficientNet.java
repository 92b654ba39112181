package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

/**
 * torchvision's EfficientNet, B0 to B7 and V2 S/M/L: a SiLU stem, stages of MBConv blocks (an optional 1x1
 * expansion, a depthwise 3x3 or 5x5, squeeze-and-excitation with SiLU and a sigmoid gate, a linear 1x1
 * projection; the input added back where stride and width allow; stochastic depth is the identity at
 * inference) and, in V2's first stages, Fused-MBConv blocks (a full 3x3 convolution in place of expansion and
 * depthwise), a 1x1 convolution to the head width, global average pool and one Linear. B1 to B7 scale B0's
 * stage depths (the keys tell them apart) and widths (which come from the file). Keys are torchvision's
 * ({@code features.2.1.block.3.0}).
 */
public final class EfficientNet implements Architecture {
    /** A stage: fused or not, expansion, kernel, first stride, input and output widths, blocks. */
    private record Stage(boolean fused, int expand, int kernel, int stride, int in, int out, int blocks) {}

    private static final Stage[] B = {
        new Stage(false, 1, 3, 1, 32, 16, 1),
        new Stage(false, 6, 3, 2, 16, 24, 2),
        new Stage(false, 6, 5, 2, 24, 40, 2),
        new Stage(false, 6, 3, 2, 40, 80, 3),
        new Stage(false, 6, 5, 1, 80, 112, 3),
        new Stage(false, 6, 5, 2, 112, 192, 4),
        new Stage(false, 6, 3, 1, 192, 320, 1)
    };

    private static final Stage[] V2_S = {
        new Stage(true, 1, 3, 1, 24, 24, 2),
        new Stage(true, 4, 3, 2, 24, 48, 4),
        new Stage(true, 4, 3, 2, 48, 64, 4),
        new Stage(false, 4, 3, 2, 64, 128, 6),
        new Stage(false, 6, 3, 1, 128, 160, 9),
        new Stage(false, 6, 3, 2, 160, 256, 15)
    };

    private static final Stage[] V2_M = {
        new Stage(true, 1, 3, 1, 24, 24, 3),
        new Stage(true, 4, 3, 2, 24, 48, 5),
        new Stage(true, 4, 3, 2, 48, 80, 5),
        new Stage(false, 4, 3, 2, 80, 160, 7),
        new Stage(false, 6, 3, 1, 160, 176, 14),
        new Stage(false, 6, 3, 2, 176, 304, 18),
        new Stage(false, 6, 3, 1, 304, 512, 5)
    };

    private static final Stage[] V2_L = {
        new Stage(true, 1, 3, 1, 32, 32, 4),
        new Stage(true, 4, 3, 2, 32, 64, 7),
        new Stage(true, 4, 3, 2, 64, 96, 7),
        new Stage(false, 4, 3, 2, 96, 192, 10),
        new Stage(false, 6, 3, 1, 192, 224, 19),
        new Stage(false, 6, 3, 2, 224, 384, 25),
        new Stage(false, 6, 3, 1, 384, 640, 7)
    };

    private final ArchitectureInfo info;
    private final Stage[] stages;
    private final double depth;
    /** The head's width, or 0 for four times the last stage's (V1). */
    private final int lastChannel;

    private final double bnEps;
    /** B0's widths are multiplied by this (and rounded to 8); B1 and B2 have the same keys and differ here only. */
    private final double width;

    private EfficientNet(
            ArchitectureInfo info, Stage[] stages, double width, double depth, int lastChannel, double bnEps) {
        this.info = info;
        this.stages = stages;
        this.width = width;
        this.depth = depth;
        this.lastChannel = lastChannel;
        this.bnEps = bnEps;
    }

    /**
     * EfficientNet-B{@code n}: B0's stages {@code depth} times deeper, at the input size torchvision's weights
     * were trained at; B5 to B7 use BatchNorm eps 1e-3 as torchvision builds them.
     */
    public static EfficientNet b(int n) {
        double[] widths = {1.0, 1.0, 1.1, 1.2, 1.4, 1.6, 1.8, 2.0};
        double[] depths = {1.0, 1.1, 1.2, 1.4, 1.8, 2.2, 2.6, 3.1};
        int[] sizes = {224, 240, 288, 300, 380, 456, 528, 600};
        return new EfficientNet(
                new ArchitectureInfo(
                        "efficientnet_b" + n,
                        "EfficientNet-B" + n + ", MBConv stages, depth x" + depths[n],
                        new Shape(3, sizes[n], sizes[n]),
                        1000),
                B,
                widths[n],
                depths[n],
                0,
                n >= 5 ? 1e-3 : 1e-5);
    }

    /** EfficientNet V2 {@code s}, {@code m} or {@code l}. */
    public static EfficientNet v2(String size) {
        Stage[] stages = switch (size) {
            case "s" -> V2_S;
            case "m" -> V2_M;
            case "l" -> V2_L;
            default -> throw new IllegalArgumentException("EfficientNet V2 comes in s, m and l, not " + size);
        };
        int input = size.equals("s") ? 384 : 480;
        return new EfficientNet(
                new ArchitectureInfo(
                        "efficientnet_v2_" + size,
                        "EfficientNet V2-" + size.toUpperCase(java.util.Locale.ROOT)
                                + ", Fused-MBConv and MBConv stages",
                        new Shape(3, input, input),
                        1000),
                stages,
                1.0,
                1.0,
                1280,
                1e-3);
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    /** The head convolution is as wide as this member's: four times its last stage, rounded as torchvision does. */
    @Override
    public boolean hasWidthsOf(StateDict weights) {
        TorchTensor head = weights.get("features." + (stages.length + 1) + ".0.weight");
        return head == null || head.rank() != 4 || head.dim(0) == headWidth();
    }

    private int headWidth() {
        return lastChannel > 0 ? lastChannel : 4 * MakeDivisible.of(stages[stages.length - 1].out() * width);
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        int stem = MakeDivisible.of(stages[0].in() * width);
        x = Conv2dNormActivation.of(nn, "features.0", x, stem, 3, 2, 1, Activation.SILU, bnEps);
        for (int s = 0; s < stages.length; s++) {
            Stage st = stages[s];
            int out = MakeDivisible.of(st.out() * width);
            int blocks = (int) Math.ceil(st.blocks() * depth);
            for (int i = 0; i < blocks; i++) {
                String p = "features." + (s + 1) + "." + i + ".block";
                int in = i == 0 ? MakeDivisible.of(st.in() * width) : out;
                int stride = i == 0 ? st.stride() : 1;
                Value y =
                        st.fused() ? fusedMbConv(nn, p, x, st, stride, in, out) : mbConv(nn, p, x, st, stride, in, out);
                x = stride == 1 && in == out ? nn.add(p + ".add", x, y) : y;
            }
        }
        x = Conv2dNormActivation.of(
                nn, "features." + (stages.length + 1), x, headWidth(), 1, 1, 1, Activation.SILU, bnEps);
        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("classifier.1", x, numClasses, true);
    }

    /**
     * {@code MBConv}: expansion (unless the ratio is 1), depthwise, squeeze-and-excitation to a quarter of the
     * block's input width, projection.
     */
    private Value mbConv(NetworkBuilder nn, String p, Value x, Stage st, int stride, int in, int out) {
        Value y = x;
        int layer = 0;
        if (st.expand() != 1) {
            int expanded = MakeDivisible.of(in * st.expand());
            y = Conv2dNormActivation.of(nn, p + "." + layer++, y, expanded, 1, 1, 1, Activation.SILU, bnEps);
        }
        y = Conv2dNormActivation.of(
                nn, p + "." + layer++, y, y.channels(), st.kernel(), stride, 0, Activation.SILU, bnEps);
        y = SqueezeExcitation.of(nn, p + "." + layer++, y, Math.max(1, in / 4), Activation.SILU, Activation.SIGMOID);
        return Conv2dNormActivation.of(nn, p + "." + layer, y, out, 1, 1, 1, Activation.NONE, bnEps);
    }

    /** {@code FusedMBConv}: a full convolution that expands (then a projection), or one that does it all. */
    private Value fusedMbConv(NetworkBuilder nn, String p, Value x, Stage st, int stride, int in, int out) {
        if (st.expand() == 1) {
            return Conv2dNormActivation.of(nn, p + ".0", x, out, st.kernel(), stride, 1, Activation.SILU, bnEps);
        }
        int expanded = MakeDivisible.of(in * st.expand());
        Value y = Conv2dNormActivation.of(nn, p + ".0", x, expanded, st.kernel(), stride, 1, Activation.SILU, bnEps);
        return Conv2dNormActivation.of(nn, p + ".1", y, out, 1, 1, 1, Activation.NONE, bnEps);
    }
}
