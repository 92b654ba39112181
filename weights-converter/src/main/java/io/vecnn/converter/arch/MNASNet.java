package io.vecnn.converter.arch;

import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

import java.util.Map;

/**
 * torchvision's MNASNet (the B1 variant) at width 0.5, 0.75, 1.0 or 1.3: a 3x3 stride-2 convolution, a
 * depthwise-separable 3x3 without skip, six stacks of inverted residual blocks ({@code _InvertedResidual}:
 * 1x1 expansion, depthwise 3x3 or 5x5 carrying the stride, linear 1x1; ReLU after the first two; the input
 * added back when stride is 1 and the width does not change, that is in every block but a stack's first), a
 * 1x1 convolution to 1280 channels, the mean over height and width and one Linear. Every width but 1280 is
 * the nominal one times alpha, rounded by {@code _round_to_multiple_of}; the members have the same keys and
 * are told apart by their widths. Keys are torchvision's ({@code layers.8.0.layers.3}, {@code classifier.1}).
 */
public final class MNASNet implements Architecture {
    private static final double BN_EPS = 1e-5;
    private static final int[] DEPTHS = {32, 16, 24, 40, 80, 96, 192, 320};
    /** The stacks: kernel, first stride, expansion factor, blocks (torchvision's {@code _stack} calls). */
    private static final int[][] STACKS = {
        {3, 2, 3, 3}, {5, 2, 3, 3}, {5, 2, 6, 3}, {3, 1, 6, 2}, {5, 2, 6, 4}, {3, 1, 6, 1}
    };

    private static final int LAST_CHANNELS = 1280;
    /** Index in {@code layers} of the first stack: after the stem's eight modules. */
    private static final int FIRST_STACK = 8;

    private final ArchitectureInfo info;
    private final int[] depths;

    private MNASNet(String name, String title, double alpha) {
        this.info = ArchitectureInfo.imageNet(name, "MNASNet " + title + ", 16 inverted residual blocks");
        this.depths = new int[DEPTHS.length];
        for (int i = 0; i < DEPTHS.length; i++) {
            depths[i] = roundToMultipleOf(DEPTHS[i] * alpha, 8);
        }
    }

    public static MNASNet mnasnet0_5() {
        return new MNASNet("mnasnet0_5", "0.5", 0.5);
    }

    public static MNASNet mnasnet0_75() {
        return new MNASNet("mnasnet0_75", "0.75", 0.75);
    }

    public static MNASNet mnasnet1_0() {
        return new MNASNet("mnasnet1_0", "1.0", 1.0);
    }

    public static MNASNet mnasnet1_3() {
        return new MNASNet("mnasnet1_3", "1.3", 1.3);
    }

    /**
     * {@code _round_to_multiple_of(val, divisor)}: to the nearest multiple, at least {@code divisor}, rounding
     * up when that would leave less than 90 % of {@code val}.
     */
    static int roundToMultipleOf(double val, int divisor) {
        int rounded = Math.max(divisor, (int) (val + divisor / 2.0) / divisor * divisor);
        return rounded >= 0.9 * val ? rounded : rounded + divisor;
    }

    int[] depths() {
        return depths.clone();
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    /**
     * Every stack is as wide as this member's alpha makes it. The stem is not compared: in checkpoints of
     * torchvision's first MNASNet version (state-dict version 1) it is 32 and 16 wide whatever alpha, and
     * the widths it has come from the file.
     */
    @Override
    public boolean hasWidthsOf(StateDict weights) {
        for (int s = 0; s < STACKS.length; s++) {
            TorchTensor w = weights.get("layers." + (FIRST_STACK + s) + ".0.layers.6.weight");
            if (w != null && w.rank() == 4 && w.dim(0) != depths[s + 2]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Version 2, the layout built here: torchvision's MNASNet refuses a state dict without a version, and
     * rebuilds its stem to version 1's widths when told 1.
     */
    @Override
    public Map<String, Integer> moduleVersions() {
        return Map.of("", 2);
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("layers.0", x, depths[0], 3, 2, 1, false);
        x = nn.batchNorm("layers.1", x, BN_EPS);
        x = nn.relu("layers.2", x);
        x = nn.conv2d("layers.3", x, x.channels(), 3, 3, 1, 1, 1, 1, x.channels(), false);
        x = nn.batchNorm("layers.4", x, BN_EPS);
        x = nn.relu("layers.5", x);
        x = nn.conv2d("layers.6", x, depths[1], 1, 1, 0, false);
        x = nn.batchNorm("layers.7", x, BN_EPS);
        for (int s = 0; s < STACKS.length; s++) {
            int[] st = STACKS[s];
            for (int i = 0; i < st[3]; i++) {
                String p = "layers." + (FIRST_STACK + s) + "." + i;
                x = invertedResidual(nn, p, x, depths[s + 2], st[0], i == 0 ? st[1] : 1, st[2], i > 0);
            }
        }
        int last = FIRST_STACK + STACKS.length;
        x = nn.conv2d("layers." + last, x, LAST_CHANNELS, 1, 1, 0, false);
        x = nn.batchNorm("layers." + (last + 1), x, BN_EPS);
        x = nn.relu("layers." + (last + 2), x);
        // x.mean([2, 3])
        x = nn.adaptiveAvgPool2d("mean", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("classifier.1", x, numClasses, true);
    }

    /**
     * {@code _InvertedResidual(in_ch, out_ch, kernel_size, stride, expansion_factor)}; {@code residual} as
     * torchvision decides it on the nominal widths: a stack's first block changes the width (every stack widens)
     * or the stride, the others neither.
     */
    private static Value invertedResidual(
            NetworkBuilder nn, String p, Value x, int out, int kernel, int stride, int expand, boolean residual) {
        String l = p + ".layers.";
        Value y = nn.conv2d(l + "0", x, x.channels() * expand, 1, 1, 0, false);
        y = nn.batchNorm(l + "1", y, BN_EPS);
        y = nn.relu(l + "2", y);
        int pad = kernel / 2;
        y = nn.conv2d(l + "3", y, y.channels(), kernel, kernel, stride, stride, pad, pad, y.channels(), false);
        y = nn.batchNorm(l + "4", y, BN_EPS);
        y = nn.relu(l + "5", y);
        y = nn.conv2d(l + "6", y, out, 1, 1, 0, false);
        y = nn.batchNorm(l + "7", y, BN_EPS);
        return residual ? nn.add(p + ".add", y, x) : y;
    }
}
