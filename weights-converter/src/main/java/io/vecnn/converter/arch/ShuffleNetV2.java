package io.vecnn.converter.arch;

import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

/**
 * torchvision's ShuffleNet v2, x0.5 to x2.0: a 3x3 stride-2 stem and a 3x3 max pool, three stages of 4, 8 and 4
 * inverted residual units, a 1x1 convolution to the head width, global average pool and one Linear. A unit that
 * halves the size runs two branches on its whole input (a depthwise 3x3 and a 1x1; a 1x1, a depthwise 3x3 and a
 * 1x1) and concatenates them; the other units split their input's channels in two, keep the first half and run
 * the second branch on the other, concatenate, and every unit ends with a channel shuffle in two groups. The
 * four members have the same keys ({@code stage2.0.branch1.0}, {@code conv5.0}, {@code fc}) and differ only in
 * their widths, by which {@code --arch auto} tells them apart. torchvision's weights for x0.5 and x1.0 are
 * evaluated at resize 256, crop 224; for x1.5 and x2.0 at resize 232, crop 224.
 */
public final class ShuffleNetV2 implements Architecture {
    private static final double BN_EPS = 1e-5;
    private static final int[] STAGES_REPEATS = {4, 8, 4};

    private final ArchitectureInfo info;
    /** {@code stages_out_channels}: the stem, the three stages and the head. */
    private final int[] widths;

    private ShuffleNetV2(String multiplier, String name, int[] widths) {
        this.info = ArchitectureInfo.imageNet(
                "shufflenet_v2_" + name,
                "ShuffleNet v2 " + multiplier + ", stages of 4-8-4 units " + widths[1] + "-" + widths[2] + "-"
                        + widths[3] + " wide");
        this.widths = widths;
    }

    public static ShuffleNetV2 x0_5() {
        return new ShuffleNetV2("x0.5", "x0_5", new int[] {24, 48, 96, 192, 1024});
    }

    public static ShuffleNetV2 x1_0() {
        return new ShuffleNetV2("x1.0", "x1_0", new int[] {24, 116, 232, 464, 1024});
    }

    public static ShuffleNetV2 x1_5() {
        return new ShuffleNetV2("x1.5", "x1_5", new int[] {24, 176, 352, 704, 1024});
    }

    public static ShuffleNetV2 x2_0() {
        return new ShuffleNetV2("x2.0", "x2_0", new int[] {24, 244, 488, 976, 2048});
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    /** The first unit's branches are half as wide as this member's first stage, and the head as wide as its own. */
    @Override
    public boolean hasWidthsOf(StateDict weights) {
        return hasOutputs(weights, "stage2.0.branch2.0.weight", widths[1] / 2)
                && hasOutputs(weights, "conv5.0.weight", widths[4]);
    }

    private static boolean hasOutputs(StateDict weights, String key, int out) {
        TorchTensor w = weights.get(key);
        return w == null || w.rank() != 4 || w.dim(0) == out;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("conv1.0", x, widths[0], 3, 2, 1, false);
        x = nn.batchNorm("conv1.1", x, BN_EPS);
        x = nn.relu("conv1.2", x);
        x = nn.maxPool2d("maxpool", x, 3, 2, 1, false);
        for (int s = 0; s < STAGES_REPEATS.length; s++) {
            String stage = "stage" + (s + 2);
            for (int i = 0; i < STAGES_REPEATS[s]; i++) {
                x = invertedResidual(nn, stage + "." + i, x, widths[s + 1], i == 0 ? 2 : 1);
            }
        }
        x = nn.conv2d("conv5.0", x, widths[4], 1, 1, 0, false);
        x = nn.batchNorm("conv5.1", x, BN_EPS);
        x = nn.relu("conv5.2", x);
        x = nn.adaptiveAvgPool2d("globalpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("fc", x, numClasses, true);
    }

    /** {@code InvertedResidual(inp, oup, stride)}: two branches (or a kept half and one), concat, shuffle. */
    private static Value invertedResidual(NetworkBuilder nn, String p, Value x, int out, int stride) {
        int branchFeatures = out / 2;
        Value out1;
        Value out2;
        if (stride == 1) {
            int half = x.channels() / 2;
            out1 = nn.channelSlice(p + ".chunk0", x, 0, half);
            out2 = branch2(nn, p, nn.channelSlice(p + ".chunk1", x, half, x.channels()), branchFeatures, 1);
        } else {
            Value b = depthwise(nn, p + ".branch1.0", x, stride);
            b = nn.batchNorm(p + ".branch1.1", b, BN_EPS);
            b = nn.conv2d(p + ".branch1.2", b, branchFeatures, 1, 1, 0, false);
            b = nn.batchNorm(p + ".branch1.3", b, BN_EPS);
            out1 = nn.relu(p + ".branch1.4", b);
            out2 = branch2(nn, p, x, branchFeatures, stride);
        }
        return nn.channelShuffle(p + ".shuffle", nn.concat(p + ".cat", out1, out2), 2);
    }

    /** 1x1, BatchNorm, ReLU; depthwise 3x3, BatchNorm; 1x1, BatchNorm, ReLU. */
    private static Value branch2(NetworkBuilder nn, String p, Value x, int features, int stride) {
        Value b = nn.conv2d(p + ".branch2.0", x, features, 1, 1, 0, false);
        b = nn.batchNorm(p + ".branch2.1", b, BN_EPS);
        b = nn.relu(p + ".branch2.2", b);
        b = depthwise(nn, p + ".branch2.3", b, stride);
        b = nn.batchNorm(p + ".branch2.4", b, BN_EPS);
        b = nn.conv2d(p + ".branch2.5", b, features, 1, 1, 0, false);
        b = nn.batchNorm(p + ".branch2.6", b, BN_EPS);
        return nn.relu(p + ".branch2.7", b);
    }

    private static Value depthwise(NetworkBuilder nn, String prefix, Value x, int stride) {
        return nn.depthwiseConv2d(prefix, x, 3, stride, 1, false);
    }
}
