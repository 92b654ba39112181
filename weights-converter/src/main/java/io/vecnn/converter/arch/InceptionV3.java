package io.vecnn.converter.arch;

import io.vecnn.Shape;

/**
 * torchvision's Inception v3 ({@code Inception3}): a stem of {@link BasicConv2d} blocks (eps 1e-3) and
 * unpadded max pools, then InceptionA/B/C/D/E blocks named {@code Mixed_5b} to {@code Mixed_7c}. The
 * average pools of blocks A, C and E are {@code F.avg_pool2d(x, 3, stride=1, padding=1)} with PyTorch's
 * default {@code count_include_pad=True}: border averages divide by 9. {@code AuxLogits} only runs in
 * training and is skipped here.
 */
public record InceptionV3(boolean transformInput) implements Architecture, TransformInput {
    /** The size of Mixed_6e's output at 299x299, the only size AuxLogits (5x5 pool stride 3, then a 5x5 conv) fits. */
    private static final int AUX_INPUT = 17;

    private static final ArchitectureInfo INFO =
            new ArchitectureInfo("inception_v3", "Inception v3, Mixed_5b to Mixed_7c", new Shape(3, 299, 299), 1000);

    @Override
    public ArchitectureInfo info() {
        return INFO;
    }

    @Override
    public InceptionV3 withTransformInput(boolean transformInput) {
        return new InceptionV3(transformInput);
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        // Conv2d_1a_3x3 has no padding, so the builder folds the map into its weights exactly.
        x = transformed(nn, x);
        x = BasicConv2d.of(nn, "Conv2d_1a_3x3", x, 32, 3, 2, 0);
        x = BasicConv2d.of(nn, "Conv2d_2a_3x3", x, 32, 3);
        x = BasicConv2d.of(nn, "Conv2d_2b_3x3", x, 64, 3, 1, 1);
        x = nn.maxPool2d("maxpool1", x, 3, 2, 0, false);
        x = BasicConv2d.of(nn, "Conv2d_3b_1x1", x, 80, 1);
        x = BasicConv2d.of(nn, "Conv2d_4a_3x3", x, 192, 3);
        x = nn.maxPool2d("maxpool2", x, 3, 2, 0, false);
        x = inceptionA(nn, "Mixed_5b", x, 32);
        x = inceptionA(nn, "Mixed_5c", x, 64);
        x = inceptionA(nn, "Mixed_5d", x, 64);
        x = inceptionB(nn, "Mixed_6a", x);
        x = inceptionC(nn, "Mixed_6b", x, 128);
        x = inceptionC(nn, "Mixed_6c", x, 160);
        x = inceptionC(nn, "Mixed_6d", x, 160);
        x = inceptionC(nn, "Mixed_6e", x, 192);
        nn.trainingOnly("AuxLogits", x, AUX_INPUT, (aux, in) -> inceptionAux(aux, "AuxLogits", in, numClasses));
        x = inceptionD(nn, "Mixed_7a", x);
        x = inceptionE(nn, "Mixed_7b", x);
        x = inceptionE(nn, "Mixed_7c", x);
        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("fc", x, numClasses, true);
    }

    private static Value inceptionA(NetworkBuilder nn, String p, Value x, int poolFeatures) {
        Value branch1x1 = BasicConv2d.of(nn, p + ".branch1x1", x, 64, 1);

        Value branch5x5 = BasicConv2d.of(nn, p + ".branch5x5_1", x, 48, 1);
        branch5x5 = BasicConv2d.of(nn, p + ".branch5x5_2", branch5x5, 64, 5, 1, 2);

        Value branch3x3dbl = BasicConv2d.of(nn, p + ".branch3x3dbl_1", x, 64, 1);
        branch3x3dbl = BasicConv2d.of(nn, p + ".branch3x3dbl_2", branch3x3dbl, 96, 3, 1, 1);
        branch3x3dbl = BasicConv2d.of(nn, p + ".branch3x3dbl_3", branch3x3dbl, 96, 3, 1, 1);

        Value branchPool = nn.avgPool2d(p + ".avg_pool", x, 3, 1, 1, false, true);
        branchPool = BasicConv2d.of(nn, p + ".branch_pool", branchPool, poolFeatures, 1);

        return nn.concat(p, branch1x1, branch5x5, branch3x3dbl, branchPool);
    }

    private static Value inceptionB(NetworkBuilder nn, String p, Value x) {
        Value branch3x3 = BasicConv2d.of(nn, p + ".branch3x3", x, 384, 3, 2, 0);

        Value branch3x3dbl = BasicConv2d.of(nn, p + ".branch3x3dbl_1", x, 64, 1);
        branch3x3dbl = BasicConv2d.of(nn, p + ".branch3x3dbl_2", branch3x3dbl, 96, 3, 1, 1);
        branch3x3dbl = BasicConv2d.of(nn, p + ".branch3x3dbl_3", branch3x3dbl, 96, 3, 2, 0);

        Value branchPool = nn.maxPool2d(p + ".max_pool", x, 3, 2, 0, false);

        return nn.concat(p, branch3x3, branch3x3dbl, branchPool);
    }

    private static Value inceptionC(NetworkBuilder nn, String p, Value x, int channels7x7) {
        Value branch1x1 = BasicConv2d.of(nn, p + ".branch1x1", x, 192, 1);

        int c7 = channels7x7;
        Value branch7x7 = BasicConv2d.of(nn, p + ".branch7x7_1", x, c7, 1);
        branch7x7 = BasicConv2d.of(nn, p + ".branch7x7_2", branch7x7, c7, 1, 7, 0, 3);
        branch7x7 = BasicConv2d.of(nn, p + ".branch7x7_3", branch7x7, 192, 7, 1, 3, 0);

        Value branch7x7dbl = BasicConv2d.of(nn, p + ".branch7x7dbl_1", x, c7, 1);
        branch7x7dbl = BasicConv2d.of(nn, p + ".branch7x7dbl_2", branch7x7dbl, c7, 7, 1, 3, 0);
        branch7x7dbl = BasicConv2d.of(nn, p + ".branch7x7dbl_3", branch7x7dbl, c7, 1, 7, 0, 3);
        branch7x7dbl = BasicConv2d.of(nn, p + ".branch7x7dbl_4", branch7x7dbl, c7, 7, 1, 3, 0);
        branch7x7dbl = BasicConv2d.of(nn, p + ".branch7x7dbl_5", branch7x7dbl, 192, 1, 7, 0, 3);

        Value branchPool = nn.avgPool2d(p + ".avg_pool", x, 3, 1, 1, false, true);
        branchPool = BasicConv2d.of(nn, p + ".branch_pool", branchPool, 192, 1);

        return nn.concat(p, branch1x1, branch7x7, branch7x7dbl, branchPool);
    }

    private static Value inceptionD(NetworkBuilder nn, String p, Value x) {
        Value branch3x3 = BasicConv2d.of(nn, p + ".branch3x3_1", x, 192, 1);
        branch3x3 = BasicConv2d.of(nn, p + ".branch3x3_2", branch3x3, 320, 3, 2, 0);

        Value branch7x7x3 = BasicConv2d.of(nn, p + ".branch7x7x3_1", x, 192, 1);
        branch7x7x3 = BasicConv2d.of(nn, p + ".branch7x7x3_2", branch7x7x3, 192, 1, 7, 0, 3);
        branch7x7x3 = BasicConv2d.of(nn, p + ".branch7x7x3_3", branch7x7x3, 192, 7, 1, 3, 0);
        branch7x7x3 = BasicConv2d.of(nn, p + ".branch7x7x3_4", branch7x7x3, 192, 3, 2, 0);

        Value branchPool = nn.maxPool2d(p + ".max_pool", x, 3, 2, 0, false);

        return nn.concat(p, branch3x3, branch7x7x3, branchPool);
    }

    private static Value inceptionE(NetworkBuilder nn, String p, Value x) {
        Value branch1x1 = BasicConv2d.of(nn, p + ".branch1x1", x, 320, 1);

        Value branch3x3 = BasicConv2d.of(nn, p + ".branch3x3_1", x, 384, 1);
        branch3x3 = nn.concat(
                p + ".branch3x3",
                BasicConv2d.of(nn, p + ".branch3x3_2a", branch3x3, 384, 1, 3, 0, 1),
                BasicConv2d.of(nn, p + ".branch3x3_2b", branch3x3, 384, 3, 1, 1, 0));

        Value branch3x3dbl = BasicConv2d.of(nn, p + ".branch3x3dbl_1", x, 448, 1);
        branch3x3dbl = BasicConv2d.of(nn, p + ".branch3x3dbl_2", branch3x3dbl, 384, 3, 1, 1);
        branch3x3dbl = nn.concat(
                p + ".branch3x3dbl",
                BasicConv2d.of(nn, p + ".branch3x3dbl_3a", branch3x3dbl, 384, 1, 3, 0, 1),
                BasicConv2d.of(nn, p + ".branch3x3dbl_3b", branch3x3dbl, 384, 3, 1, 1, 0));

        Value branchPool = nn.avgPool2d(p + ".avg_pool", x, 3, 1, 1, false, true);
        branchPool = BasicConv2d.of(nn, p + ".branch_pool", branchPool, 192, 1);

        return nn.concat(p, branch1x1, branch3x3, branch3x3dbl, branchPool);
    }

    private static Value inceptionAux(NetworkBuilder nn, String p, Value x, int numClasses) {
        x = nn.avgPool2d(p + ".avg_pool", x, 5, 3, 0, false, true);
        x = BasicConv2d.of(nn, p + ".conv0", x, 128, 1);
        x = BasicConv2d.of(nn, p + ".conv1", x, 768, 5);
        x = nn.adaptiveAvgPool2d(p + ".adaptive_avg_pool", x, 1, 1);
        x = nn.flatten(p + ".flatten", x);
        return nn.linear(p + ".fc", x, numClasses, true);
    }
}
