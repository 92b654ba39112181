package io.vecnn.converter.arch;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * torchvision's DenseNet-121, 161, 169 and 201: a 7x7 stem with BatchNorm, ReLU and max pool, four dense
 * blocks joined by transitions, a last BatchNorm, ReLU, global average pool and one Linear. Each layer of a
 * dense block reads the concatenation of the block's input and every earlier layer's output, and adds
 * {@code growth_rate} channels of its own: BatchNorm, ReLU, 1x1 convolution to {@code bn_size * growth_rate},
 * BatchNorm, ReLU, 3x3 convolution. A transition halves the channels (BatchNorm, ReLU, 1x1 convolution) and
 * the size (2x2 average pool). The BatchNorms come before their convolutions (pre-activation), so those that
 * read a concatenation cannot be folded and stay per-channel affine ops; the one after each 1x1 convolution
 * folds into it. Keys are torchvision's ({@code features.denseblock1.denselayer1.norm1},
 * {@code features.transition1.conv}, {@code classifier}); the block depths tell the members apart.
 */
public final class DenseNet implements Architecture {
    private static final double BN_EPS = 1e-5;
    private static final int BN_SIZE = 4;

    private final ArchitectureInfo info;
    private final int growthRate;
    private final int[] blockConfig;
    private final int numInitFeatures;

    private DenseNet(int depth, int growthRate, int[] blockConfig, int numInitFeatures) {
        this.info = ArchitectureInfo.imageNet(
                "densenet" + depth,
                "DenseNet-" + depth + ", dense blocks "
                        + Arrays.stream(blockConfig).mapToObj(String::valueOf).collect(Collectors.joining("-"))
                        + ", growth " + growthRate);
        this.growthRate = growthRate;
        this.blockConfig = blockConfig;
        this.numInitFeatures = numInitFeatures;
    }

    public static DenseNet densenet121() {
        return new DenseNet(121, 32, new int[] {6, 12, 24, 16}, 64);
    }

    public static DenseNet densenet161() {
        return new DenseNet(161, 48, new int[] {6, 12, 36, 24}, 96);
    }

    public static DenseNet densenet169() {
        return new DenseNet(169, 32, new int[] {6, 12, 32, 32}, 64);
    }

    public static DenseNet densenet201() {
        return new DenseNet(201, 32, new int[] {6, 12, 48, 32}, 64);
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("features.conv0", x, numInitFeatures, 7, 2, 3, false);
        x = nn.batchNorm("features.norm0", x, BN_EPS);
        x = nn.relu("features.relu0", x);
        x = nn.maxPool2d("features.pool0", x, 3, 2, 1, false);
        for (int i = 0; i < blockConfig.length; i++) {
            x = denseBlock(nn, "features.denseblock" + (i + 1), x, blockConfig[i]);
            if (i != blockConfig.length - 1) {
                x = transition(nn, "features.transition" + (i + 1), x, x.channels() / 2);
            }
        }
        x = nn.batchNorm("features.norm5", x, BN_EPS);
        x = nn.relu("relu", x);
        x = nn.adaptiveAvgPool2d("adaptive_avg_pool2d", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("classifier", x, numClasses, true);
    }

    /**
     * {@code _DenseBlock}: layer {@code i} reads {@code torch.cat(features, 1)} of the block's input and the
     * layers before it; the block returns the concatenation of all. Concatenating one layer at a time gives
     * the same values.
     */
    private Value denseBlock(NetworkBuilder nn, String p, Value x, int numLayers) {
        for (int i = 1; i <= numLayers; i++) {
            Value y = denseLayer(nn, p + ".denselayer" + i, x);
            x = nn.concat(p + ".denselayer" + i + ".cat", x, y);
        }
        return x;
    }

    /** {@code _DenseLayer}, its dropout ({@code drop_rate} 0 in torchvision's models) left out. */
    private Value denseLayer(NetworkBuilder nn, String p, Value x) {
        Value y = nn.batchNorm(p + ".norm1", x, BN_EPS);
        y = nn.relu(p + ".relu1", y);
        y = nn.conv2d(p + ".conv1", y, BN_SIZE * growthRate, 1, 1, 0, false);
        y = nn.batchNorm(p + ".norm2", y, BN_EPS);
        y = nn.relu(p + ".relu2", y);
        return nn.conv2d(p + ".conv2", y, growthRate, 3, 1, 1, false);
    }

    private static Value transition(NetworkBuilder nn, String p, Value x, int out) {
        x = nn.batchNorm(p + ".norm", x, BN_EPS);
        x = nn.relu(p + ".relu", x);
        x = nn.conv2d(p + ".conv", x, out, 1, 1, 0, false);
        return nn.avgPool2d(p + ".pool", x, 2, 2, 0, false, true);
    }
}
