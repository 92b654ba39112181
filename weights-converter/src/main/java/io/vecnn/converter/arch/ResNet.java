package io.vecnn.converter.arch;

import io.vecnn.graph.Shape;

/**
 * torchvision's ResNet: BasicBlock for 18/34 layers, Bottleneck (stride on the 3x3, "v1.5") for 50 and
 * deeper. Key names are torchvision's ({@code layer1.0.conv1}, {@code layer2.0.downsample.0}, {@code fc}).
 */
public final class ResNet implements Architecture {
    private static final double BN_EPS = 1e-5;
    private static final int[] WIDTHS = {64, 128, 256, 512};

    private final String name;
    private final boolean bottleneck;
    private final int[] layers;

    private ResNet(String name, boolean bottleneck, int... layers) {
        this.name = name;
        this.bottleneck = bottleneck;
        this.layers = layers;
    }

    public static ResNet resnet18() {
        return new ResNet("resnet18", false, 2, 2, 2, 2);
    }

    public static ResNet resnet50() {
        return new ResNet("resnet50", true, 3, 4, 6, 3);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Shape defaultInput() {
        return new Shape(3, 224, 224);
    }

    @Override
    public int defaultNumClasses() {
        return 1000;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("conv1", x, 64, 7, 2, 3, false);
        x = nn.batchNorm("bn1", x, BN_EPS);
        x = nn.relu("relu", x);
        x = nn.maxPool2d("maxpool", x, 3, 2, 1, false);
        for (int stage = 0; stage < layers.length; stage++) {
            for (int block = 0; block < layers[stage]; block++) {
                String prefix = "layer" + (stage + 1) + "." + block;
                int stride = stage > 0 && block == 0 ? 2 : 1;
                x = bottleneck ? bottleneck(nn, prefix, x, WIDTHS[stage], stride)
                        : basicBlock(nn, prefix, x, WIDTHS[stage], stride);
            }
        }
        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("fc", x, numClasses, true);
    }

    private Value basicBlock(NetworkBuilder nn, String prefix, Value x, int planes, int stride) {
        Value out = nn.conv2d(prefix + ".conv1", x, planes, 3, stride, 1, false);
        out = nn.batchNorm(prefix + ".bn1", out, BN_EPS);
        out = nn.relu(prefix + ".relu", out);
        out = nn.conv2d(prefix + ".conv2", out, planes, 3, 1, 1, false);
        out = nn.batchNorm(prefix + ".bn2", out, BN_EPS);
        Value identity = downsample(nn, prefix, x, out.channels(), stride);
        return nn.relu(prefix + ".relu", nn.add(prefix + ".add", out, identity));
    }

    private Value bottleneck(NetworkBuilder nn, String prefix, Value x, int planes, int stride) {
        Value out = nn.conv2d(prefix + ".conv1", x, planes, 1, 1, 0, false);
        out = nn.batchNorm(prefix + ".bn1", out, BN_EPS);
        out = nn.relu(prefix + ".relu", out);
        out = nn.conv2d(prefix + ".conv2", out, out.channels(), 3, stride, 1, false);
        out = nn.batchNorm(prefix + ".bn2", out, BN_EPS);
        out = nn.relu(prefix + ".relu", out);
        out = nn.conv2d(prefix + ".conv3", out, planes * 4, 1, 1, 0, false);
        out = nn.batchNorm(prefix + ".bn3", out, BN_EPS);
        Value identity = downsample(nn, prefix, x, out.channels(), stride);
        return nn.relu(prefix + ".relu", nn.add(prefix + ".add", out, identity));
    }

    /** torchvision adds {@code downsample} (1x1 conv + BN) when the stride or the width changes. */
    private static Value downsample(NetworkBuilder nn, String prefix, Value x, int outChannels, int stride) {
        if (stride == 1 && x.channels() == outChannels) {
            return x;
        }
        Value d = nn.conv2d(prefix + ".downsample.0", x, outChannels, 1, stride, 0, false);
        return nn.batchNorm(prefix + ".downsample.1", d, BN_EPS);
    }
}
