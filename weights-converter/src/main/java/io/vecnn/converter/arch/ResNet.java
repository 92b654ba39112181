package io.vecnn.converter.arch;

import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * torchvision's ResNet: BasicBlock for 18 and 34 layers, Bottleneck (stride on the 3x3, "v1.5") for 50 and
 * deeper; and its Bottleneck variants with {@code groups} and {@code width_per_group}, ResNeXt (a grouped 3x3,
 * e.g. 32 groups of 4 channels) and Wide ResNet (twice the 3x3's width). Their keys are ResNet's: ResNet-50,
 * ResNeXt-50 32x4d and Wide ResNet-50-2 differ only in their widths, which come from the file. Key names are
 * torchvision's ({@code layer1.0.conv1}, {@code layer2.0.downsample.0}, {@code fc}).
 */
public final class ResNet implements Architecture {
    private static final double BN_EPS = 1e-5;

    private final ArchitectureInfo info;
    private final boolean bottleneck;
    private final int[] layers;
    /** The 3x3 convolution's groups in a Bottleneck: 1 except in ResNeXt. */
    private final int groups;
    /** Channels per group of the 3x3 at {@code planes} 64: 64 in ResNet, 4 or 8 in ResNeXt, 128 in Wide ResNet. */
    private final int widthPerGroup;

    private ResNet(String name, String description, boolean bottleneck, int groups, int widthPerGroup, int... layers) {
        this.info = ArchitectureInfo.imageNet(
                name,
                description + ", " + (bottleneck ? "Bottleneck" : "BasicBlock") + " blocks "
                        + Arrays.stream(layers).mapToObj(String::valueOf).collect(Collectors.joining("-")));
        this.bottleneck = bottleneck;
        this.groups = groups;
        this.widthPerGroup = widthPerGroup;
        this.layers = layers;
    }

    private ResNet(String name, boolean bottleneck, int... layers) {
        this(name, "ResNet-" + name.substring("resnet".length()), bottleneck, 1, 64, layers);
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

    /** ResNeXt-50 32x4d: Bottleneck 3x3s of 32 groups of 4 channels (at {@code planes} 64). */
    public static ResNet resnext50_32x4d() {
        return new ResNet("resnext50_32x4d", "ResNeXt-50 32x4d", true, 32, 4, 3, 4, 6, 3);
    }

    public static ResNet resnext101_32x8d() {
        return new ResNet("resnext101_32x8d", "ResNeXt-101 32x8d", true, 32, 8, 3, 4, 23, 3);
    }

    public static ResNet resnext101_64x4d() {
        return new ResNet("resnext101_64x4d", "ResNeXt-101 64x4d", true, 64, 4, 3, 4, 23, 3);
    }

    /** Wide ResNet-50-2: ResNet-50 with every Bottleneck's inner width (its 1x1 reduction and 3x3) doubled. */
    public static ResNet wide_resnet50_2() {
        return new ResNet("wide_resnet50_2", "Wide ResNet-50-2", true, 1, 128, 3, 4, 6, 3);
    }

    public static ResNet wide_resnet101_2() {
        return new ResNet("wide_resnet101_2", "Wide ResNet-101-2", true, 1, 128, 3, 4, 23, 3);
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    /**
     * The first Bottleneck's 3x3 convolution has this member's width and groups: what tells ResNet-50,
     * ResNeXt-50 32x4d and Wide ResNet-50-2 apart (their keys are the same).
     */
    @Override
    public boolean hasWidthsOf(StateDict weights) {
        TorchTensor conv2 = weights.get("layer1.0.conv2.weight");
        if (!bottleneck || conv2 == null || conv2.rank() != 4) {
            return true;
        }
        int width = width(64);
        return conv2.dim(0) == width && conv2.dim(1) == width / groups;
    }

    /** torchvision's Bottleneck: {@code int(planes * (base_width / 64.0)) * groups}. */
    private int width(int planes) {
        return planes * widthPerGroup / 64 * groups;
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
                    ? bottleneck(nn, prefix, x, planes, first ? stride : 1, first && downsample, width(planes), groups)
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

    /** {@code width} is the 1x1 reduction's and the 3x3's, {@code groups} the 3x3's (ResNeXt's cardinality). */
    private static Value bottleneck(
            NetworkBuilder nn,
            String prefix,
            Value x,
            int planes,
            int stride,
            boolean downsample,
            int width,
            int groups) {
        Value out = nn.conv2d(prefix + ".conv1", x, width, 1, 1, 0, false);
        out = nn.batchNorm(prefix + ".bn1", out, BN_EPS);
        out = nn.relu(prefix + ".relu", out);
        // Fewer channels than groups only in a dry build's one-channel stand-ins (see DryBuild): one group there.
        int g = out.channels() < groups ? 1 : groups;
        out = nn.conv2d(prefix + ".conv2", out, out.channels(), 3, 3, stride, stride, 1, 1, g, false);
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
