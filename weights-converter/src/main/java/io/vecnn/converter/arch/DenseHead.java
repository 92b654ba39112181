package io.vecnn.converter.arch;

/**
 * The head AlexNet and VGG share: an adaptive average pool to a fixed grid, flatten, then {@code classifier},
 * an {@code nn.Sequential} of two 4096-wide Linear + ReLU layers and the output Linear. Its dropouts are the
 * identity at inference but still take module indices, and the two networks put them in different places, so
 * the caller says where the three Linears are; each hidden one's ReLU is the next index.
 */
final class DenseHead {
    private static final int HIDDEN = 4096;

    private DenseHead() {}

    static Value of(NetworkBuilder nn, Value x, int pooledSize, int numClasses, int hidden1, int hidden2, int out) {
        x = nn.adaptiveAvgPool2d("avgpool", x, pooledSize, pooledSize);
        x = nn.flatten("flatten", x);
        for (int at : new int[] {hidden1, hidden2}) {
            x = nn.linear("classifier." + at, x, HIDDEN, true);
            x = nn.relu("classifier." + (at + 1), x);
        }
        return nn.linear("classifier." + out, x, numClasses, true);
    }
}
