package io.vecnn.converter.arch;

/**
 * torchvision's SqueezeNet 1.0 and 1.1: a stem convolution, eight Fire modules (a 1x1 squeeze, then 1x1 and
 * 3x3 expands side by side, each with a ReLU, concatenated) between max pools in ceil mode, and a classifier
 * that is a 1x1 convolution to {@code num_classes} with a ReLU, averaged over the map (its dropout is the
 * identity at inference). 1.1 has a 3x3 stem of 64 channels and pools earlier: 2.4 times less computation for
 * the same accuracy. Keys are torchvision's ({@code features.3.expand3x3}, {@code classifier.1}); the two
 * versions number their Fire modules differently, so the keys tell them apart.
 */
public final class SqueezeNet implements Architecture {
    private final ArchitectureInfo info;
    private final boolean v1_1;

    private SqueezeNet(ArchitectureInfo info, boolean v1_1) {
        this.info = info;
        this.v1_1 = v1_1;
    }

    public static SqueezeNet v1_0() {
        return new SqueezeNet(
                ArchitectureInfo.imageNet("squeezenet1_0", "SqueezeNet 1.0, 8 Fire modules, 7x7 stem"), false);
    }

    public static SqueezeNet v1_1() {
        return new SqueezeNet(
                ArchitectureInfo.imageNet("squeezenet1_1", "SqueezeNet 1.1, 8 Fire modules, 3x3 stem"), true);
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        if (!v1_1) {
            x = nn.conv2d("features.0", x, 96, 7, 2, 0, true);
            x = nn.relu("features.1", x);
            x = nn.maxPool2d("features.2", x, 3, 2, 0, true);
            x = fire(nn, "features.3", x, 16, 64, 64);
            x = fire(nn, "features.4", x, 16, 64, 64);
            x = fire(nn, "features.5", x, 32, 128, 128);
            x = nn.maxPool2d("features.6", x, 3, 2, 0, true);
            x = fire(nn, "features.7", x, 32, 128, 128);
            x = fire(nn, "features.8", x, 48, 192, 192);
            x = fire(nn, "features.9", x, 48, 192, 192);
            x = fire(nn, "features.10", x, 64, 256, 256);
            x = nn.maxPool2d("features.11", x, 3, 2, 0, true);
            x = fire(nn, "features.12", x, 64, 256, 256);
        } else {
            x = nn.conv2d("features.0", x, 64, 3, 2, 0, true);
            x = nn.relu("features.1", x);
            x = nn.maxPool2d("features.2", x, 3, 2, 0, true);
            x = fire(nn, "features.3", x, 16, 64, 64);
            x = fire(nn, "features.4", x, 16, 64, 64);
            x = nn.maxPool2d("features.5", x, 3, 2, 0, true);
            x = fire(nn, "features.6", x, 32, 128, 128);
            x = fire(nn, "features.7", x, 32, 128, 128);
            x = nn.maxPool2d("features.8", x, 3, 2, 0, true);
            x = fire(nn, "features.9", x, 48, 192, 192);
            x = fire(nn, "features.10", x, 48, 192, 192);
            x = fire(nn, "features.11", x, 64, 256, 256);
            x = fire(nn, "features.12", x, 64, 256, 256);
        }
        // classifier.0 is a dropout: the identity at inference.
        x = nn.conv2d("classifier.1", x, numClasses, 1, 1, 0, true);
        x = nn.relu("classifier.2", x);
        x = nn.adaptiveAvgPool2d("classifier.3", x, 1, 1);
        return nn.flatten("flatten", x);
    }

    /** {@code Fire(inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes)}. */
    private static Value fire(NetworkBuilder nn, String p, Value x, int squeeze, int expand1x1, int expand3x3) {
        Value s = nn.conv2d(p + ".squeeze", x, squeeze, 1, 1, 0, true);
        s = nn.relu(p + ".squeeze_activation", s);
        Value e1 = nn.conv2d(p + ".expand1x1", s, expand1x1, 1, 1, 0, true);
        e1 = nn.relu(p + ".expand1x1_activation", e1);
        Value e3 = nn.conv2d(p + ".expand3x3", s, expand3x3, 3, 1, 1, true);
        e3 = nn.relu(p + ".expand3x3_activation", e3);
        return nn.concat(p, e1, e3);
    }
}
