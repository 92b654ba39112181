package io.vecnn.converter.arch;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * torchvision's ResNet: BasicBlock for 18 and 34 layers, Bottleneck (stride on the 3x3, "v1.5") for 50 and
 * deeper. Key names are torchvision's ({@code layer1.0.conv1}, {@code layer2.0.downsample.0}, {@code fc}).
 */
public final class ResNet implements Architecture {
    private static final double BN_EPS = 1e-5;

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

    public static ResNet resnet34() {
        return new ResNet("resnet34", false, 3, 4, 6, 3);
    }

    public static ResNet resnet50() {
        return new ResNet("resnet50", true, 3, 4, 6, 3);
    }

    public static ResNet resnet101() {
        return new ResNet("resnet101", true, 3, 4, 23, 3);
    }

    public static ResNet resnet152() {
        return new ResNet("resnet152", true, 3, 8, 36, 3);
    }

    @Override
    public ArchitectureInfo info() {
        return ArchitectureInfo.imageNet(
                name,
                "ResNet-" + name.substring("resnet".length()) + ", "
                        + (bottleneck ? "Bottleneck" : "BasicBlock") + " blocks "
                        + Arrays.stream(layers).mapToObj(String::valueOf).collect(Collectors.joining("-")));
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("conv1", x, 64, 7, 2, 3, false);
        x = nn.batchNorm("bn1", x, BN_EPS);
        x = nn.relu("relu", x);
        x = nn.maxPool2d("maxpool", x, 3, 2, 1, false);
        x = makeLayer(nn, "layer1", x, 64, 64, layers[0], 1);
        x = makeLayer(nn, "layer2", x, 64 * expansion(), 128, layers[1], 2);
        x = makeLayer(nn, "layer3", x, 128 * expansion(), 256, layers[2], 2);
        x = makeLayer(nn, "layer4", x, 256 * expansion(), 512, layers[3], 2);
        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("fc", x, numClasses, true);
    }

    private int expansion() {
        return bottleneck ? 4 : 1;
    }

    /**
     * torchvision's {@code _make_layer}: only the first block strides, and it gets a {@code downsample}
     * (1x1 conv + BN) on its identity path when the stride or the width changes. The rule is on the
     * nominal widths, as in torchvision, so the keys it expects do not depend on the file.
     */
    private Value makeLayer(NetworkBuilder nn, String name, Value x, int inplanes, int planes, int blocks, int stride) {
        boolean downsample = stride != 1 || inplanes != planes * expansion();
        for (int i = 0; i < blocks; i++) {
            String prefix = name + "." + i;
            boolean first = i == 0;
            x = bottleneck
                    ? bottleneck(nn, prefix, x, planes, first ? stride : 1, first && downsample)
                    : basicBlock(nn, prefix, x, planes, first ? stride : 1, first && downsample);
        }
        return x;
    }

    private static Value basicBlock(
            NetworkBuilder nn, String prefix, Value x, int planes, int stride, boolean downsample) {
        Value out = nn.conv2d(prefix + ".conv1", x, planes, 3, stride, 1, false);
        out = nn.batchNorm(prefix + ".bn1", out, BN_EPS);
        out = nn.relu(prefix + ".relu", out);
        out = nn.conv2d(prefix + ".conv2", out, planes, 3, 1, 1, false);
        out = nn.batchNorm(prefix + ".bn2", out, BN_EPS);
        Value identity = downsample ? downsample(nn, prefix, x, out.channels(), stride) : x;
        return nn.relu(prefix + ".relu", nn.add(prefix + ".add", out, identity));
    }

    private static Value bottleneck(
            NetworkBuilder nn, String prefix, Value x, int planes, int stride, boolean downsample) {
        Value out = nn.conv2d(prefix + ".conv1", x, planes, 1, 1, 0, false);
        out = nn.batchNorm(prefix + ".bn1", out, BN_EPS);
        out = nn.relu(prefix + ".relu", out);
        out = nn.conv2d(prefix + ".conv2", out, out.channels(), 3, stride, 1, false);
        out = nn.batchNorm(prefix + ".bn2", out, BN_EPS);
        out = nn.relu(prefix + ".relu", out);
        out = nn.conv2d(prefix + ".conv3", out, planes * 4, 1, 1, 0, false);
        out = nn.batchNorm(prefix + ".bn3", out, BN_EPS);
        Value identity = downsample ? downsample(nn, prefix, x, out.channels(), stride) : x;
        return nn.relu(prefix + ".relu", nn.add(prefix + ".add", out, identity));
    }

    private static Value downsample(NetworkBuilder nn, String prefix, Value x, int outChannels, int stride) {
        Value d = nn.conv2d(prefix + ".downsample.0", x, outChannels, 1, stride, 0, false);
        return nn.batchNorm(prefix + ".downsample.1", d, BN_EPS);
    }
}
