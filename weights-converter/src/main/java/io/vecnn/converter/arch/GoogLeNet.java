package io.vecnn.converter.arch;

/**
 * torchvision's GoogLeNet (Inception v1) with BatchNorm: {@link BasicConv2d} blocks (eps 1e-3), every max
 * pool in ceil mode, nine Inception blocks, and the two auxiliary classifiers {@code aux1}/{@code aux2},
 * which only run in training and are skipped here.
 */
public record GoogLeNet(boolean transformInput) implements Architecture, TransformInput {
    /** The size of inception4a's and 4d's output at 224x224, where the aux heads are trained. */
    private static final int AUX_INPUT = 14;

    private static final ArchitectureInfo INFO =
            ArchitectureInfo.imageNet("googlenet", "GoogLeNet (Inception v1), 9 Inception blocks");

    @Override
    public ArchitectureInfo info() {
        return INFO;
    }

    @Override
    public GoogLeNet withTransformInput(boolean transformInput) {
        return new GoogLeNet(transformInput);
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        // conv1 pads by 3, so the map cannot fold into it exactly: it stays an op of its own.
        x = transformed(nn, x);
        x = BasicConv2d.of(nn, "conv1", x, 64, 7, 2, 3);
        x = nn.maxPool2d("maxpool1", x, 3, 2, 0, true);
        x = BasicConv2d.of(nn, "conv2", x, 64, 1);
        x = BasicConv2d.of(nn, "conv3", x, 192, 3, 1, 1);
        x = nn.maxPool2d("maxpool2", x, 3, 2, 0, true);

        x = inception(nn, "inception3a", x, 64, 96, 128, 16, 32, 32);
        x = inception(nn, "inception3b", x, 128, 128, 192, 32, 96, 64);
        x = nn.maxPool2d("maxpool3", x, 3, 2, 0, true);

        x = inception(nn, "inception4a", x, 192, 96, 208, 16, 48, 64);
        nn.trainingOnly("aux1", x, AUX_INPUT, (aux, in) -> inceptionAux(aux, "aux1", in, numClasses));
        x = inception(nn, "inception4b", x, 160, 112, 224, 24, 64, 64);
        x = inception(nn, "inception4c", x, 128, 128, 256, 24, 64, 64);
        x = inception(nn, "inception4d", x, 112, 144, 288, 32, 64, 64);
        nn.trainingOnly("aux2", x, AUX_INPUT, (aux, in) -> inceptionAux(aux, "aux2", in, numClasses));
        x = inception(nn, "inception4e", x, 256, 160, 320, 32, 128, 128);
        x = nn.maxPool2d("maxpool4", x, 2, 2, 0, true);

        x = inception(nn, "inception5a", x, 256, 160, 320, 32, 128, 128);
        x = inception(nn, "inception5b", x, 384, 192, 384, 48, 128, 128);

        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.flatten("flatten", x);
        return nn.linear("fc", x, numClasses, true);
    }

    private static Value inception(
            NetworkBuilder nn,
            String p,
            Value x,
            int ch1x1,
            int ch3x3red,
            int ch3x3,
            int ch5x5red,
            int ch5x5,
            int poolProj) {
        Value branch1 = BasicConv2d.of(nn, p + ".branch1", x, ch1x1, 1);

        Value branch2 = BasicConv2d.of(nn, p + ".branch2.0", x, ch3x3red, 1);
        branch2 = BasicConv2d.of(nn, p + ".branch2.1", branch2, ch3x3, 3, 1, 1);

        // The "5x5" branch is 3x3 in torchvision (pytorch/vision#906, kept for weight compatibility);
        // the file's kernel decides, with the padding that keeps the size.
        Value branch3 = BasicConv2d.of(nn, p + ".branch3.0", x, ch5x5red, 1);
        int k = nn.kernelSize(p + ".branch3.1.conv", 3);
        branch3 = BasicConv2d.of(nn, p + ".branch3.1", branch3, ch5x5, k, 1, k / 2);

        Value branch4 = nn.maxPool2d(p + ".branch4.0", x, 3, 1, 1, true);
        branch4 = BasicConv2d.of(nn, p + ".branch4.1", branch4, poolProj, 1);

        return nn.concat(p, branch1, branch2, branch3, branch4);
    }

    private static Value inceptionAux(NetworkBuilder nn, String p, Value x, int numClasses) {
        x = nn.adaptiveAvgPool2d(p + ".adaptive_avg_pool", x, 4, 4);
        x = BasicConv2d.of(nn, p + ".conv", x, 128, 1);
        x = nn.flatten(p + ".flatten", x);
        x = nn.linear(p + ".fc1", x, 1024, true);
        x = nn.relu(p + ".relu", x);
        return nn.linear(p + ".fc2", x, numClasses, true);
    }
}
