package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.VecnnException;

/**
 * The ResNets of He et al. for CIFAR-10 (section 4.2), as the widely copied akamaster/pytorch_resnet_cifar10
 * defines them: a 3x3 stem of 16 channels, three stages of {@code n} BasicBlocks at 16, 32 and 64 channels
 * (the first block of stages 2 and 3 strides by 2), a global average pool and {@code linear}; depth 6n + 2.
 * Where a block changes width, its shortcut is the parameter-free "option A": the input subsampled by 2 and
 * zero-padded by a quarter of the block's width on each side of the channels, so those blocks have no
 * {@code shortcut} keys and only the block indices tell the depths apart.
 */
public final class CifarResNet implements Architecture {
    private static final double BN_EPS = 1e-5;
    private static final int[] WIDTHS = {16, 32, 64};

    private final int depth;
    private final int blocks;

    private CifarResNet(int depth) {
        if ((depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("a CIFAR ResNet has depth 6n + 2, not " + depth);
        }
        this.depth = depth;
        this.blocks = (depth - 2) / 6;
    }

    /** ResNet-{@code depth}: 20, 32, 44, 56, 110 and 1202 are the published ones. */
    public static CifarResNet of(int depth) {
        return new CifarResNet(depth);
    }

    @Override
    public ArchitectureInfo info() {
        return new ArchitectureInfo(
                "resnet" + depth,
                "CIFAR ResNet-" + depth + ", BasicBlock blocks " + blocks + "-" + blocks + "-" + blocks
                        + ", option-A shortcuts",
                new Shape(3, 32, 32),
                10);
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("conv1", x, WIDTHS[0], 3, 1, 1, false);
        x = nn.relu("relu", nn.batchNorm("bn1", x, BN_EPS));
        int inPlanes = WIDTHS[0];
        for (int stage = 0; stage < WIDTHS.length; stage++) {
            int planes = WIDTHS[stage];
            for (int i = 0; i < blocks; i++) {
                int stride = stage > 0 && i == 0 ? 2 : 1;
                x = basicBlock(
                        nn, "layer" + (stage + 1) + "." + i, x, planes, stride, stride != 1 || inPlanes != planes);
                inPlanes = planes;
            }
        }
        // F.avg_pool2d(out, out.size()[3]): a square window as wide as the map, global on square inputs.
        int width = x.shape().width();
        x = nn.avgPool2d("avg_pool", x, width, width, 0, false, true);
        x = nn.flatten("flatten", x);
        return nn.linear("linear", x, numClasses, true);
    }

    /**
     * {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}. Whether the shortcut is option A is
     * decided on the nominal widths, as in the Python, so the keys expected do not depend on the file; the
     * padding comes from the widths the file has (a quarter of the nominal width each side). {@code bn2} ends
     * the residual branch (see {@link WeightRole#RESIDUAL_BN_WEIGHT}: only synthetic weights care).
     */
    private static Value basicBlock(
            NetworkBuilder nn, String prefix, Value x, int planes, int stride, boolean optionA) {
        Value out = nn.conv2d(prefix + ".conv1", x, planes, 3, stride, 1, false);
        out = nn.relu(prefix + ".relu", nn.batchNorm(prefix + ".bn1", out, BN_EPS));
        out = nn.conv2d(prefix + ".conv2", out, planes, 3, 1, 1, false);
        out = nn.batchNorm(prefix + ".bn2", out, BN_EPS, WeightRole.RESIDUAL_BN_WEIGHT);
        Value shortcut = x;
        if (optionA) {
            int extra = out.channels() - x.channels();
            if (extra < 0) {
                throw new VecnnException(prefix + ": an option-A shortcut cannot narrow " + x.channels()
                        + " channels to " + out.channels());
            }
            shortcut = nn.subsampleAndPadChannels(prefix + ".shortcut", x, stride, extra / 2, extra - extra / 2);
        }
        return nn.relu(prefix + ".relu", nn.add(prefix + ".add", out, shortcut));
    }
}
