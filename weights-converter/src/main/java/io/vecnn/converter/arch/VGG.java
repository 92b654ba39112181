package io.vecnn.converter.arch;

/**
 * torchvision's VGG: {@code features} is built from a configuration as in torchvision's
 * {@code make_layers} (a number is a 3x3 conv of that width with padding 1, then ReLU, with a BatchNorm
 * between them in the {@code _bn} variants; {@code M} is a 2x2 max pool), so key indices count every
 * module. Then {@code AdaptiveAvgPool2d((7, 7))} and three Linear layers.
 */
public final class VGG implements Architecture {
    private static final double BN_EPS = 1e-5;
    // torchvision's cfgs "A", "B", "D" and "E".
    private static final String VGG11 = "64 M 128 M 256 256 M 512 512 M 512 512 M";
    private static final String VGG13 = "64 64 M 128 128 M 256 256 M 512 512 M 512 512 M";
    private static final String VGG16 = "64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M";
    private static final String VGG19 = "64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M";

    private final int depth;
    private final String cfg;
    private final boolean batchNorm;

    private VGG(int depth, String cfg, boolean batchNorm) {
        this.depth = depth;
        this.cfg = cfg;
        this.batchNorm = batchNorm;
    }

    public static VGG vgg11(boolean batchNorm) {
        return new VGG(11, VGG11, batchNorm);
    }

    public static VGG vgg13(boolean batchNorm) {
        return new VGG(13, VGG13, batchNorm);
    }

    public static VGG vgg16(boolean batchNorm) {
        return new VGG(16, VGG16, batchNorm);
    }

    public static VGG vgg19(boolean batchNorm) {
        return new VGG(19, VGG19, batchNorm);
    }

    @Override
    public ArchitectureInfo info() {
        return ArchitectureInfo.imageNet(
                "vgg" + depth + (batchNorm ? "_bn" : ""),
                "VGG-" + depth + (batchNorm ? " with BatchNorm" : "") + ", " + (depth - 3) + " conv + 3 Linear");
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = makeLayers(nn, x);
        // classifier.2 and .5 are dropouts.
        return DenseHead.of(nn, x, 7, numClasses, 0, 3, 6);
    }

    private Value makeLayers(NetworkBuilder nn, Value x) {
        int index = 0;
        for (String v : cfg.split(" ")) {
            if (v.equals("M")) {
                x = nn.maxPool2d("features." + index++, x, 2, 2, 0, false);
            } else {
                x = nn.conv2d("features." + index++, x, Integer.parseInt(v), 3, 1, 1, true);
                if (batchNorm) {
                    x = nn.batchNorm("features." + index++, x, BN_EPS);
                }
                x = nn.relu("features." + index++, x);
            }
        }
        return x;
    }
}
