package io.vecnn.converter.arch;

/**
 * torchvision's AlexNet ("one weird trick" variant: 64-192-384-256-256 channels). {@code features} and
 * {@code classifier} are {@code nn.Sequential}s, so their keys are numbered by module index, dropouts and
 * ReLUs included. The adaptive pool makes any input of at least 63x63 work: at 224 it is the identity.
 */
public final class AlexNet implements Architecture {
    private static final ArchitectureInfo INFO = ArchitectureInfo.imageNet("alexnet", "AlexNet, 5 conv + 3 Linear");

    @Override
    public ArchitectureInfo info() {
        return INFO;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("features.0", x, 64, 11, 4, 2, true);
        x = nn.relu("features.1", x);
        x = nn.maxPool2d("features.2", x, 3, 2, 0, false);
        x = nn.conv2d("features.3", x, 192, 5, 1, 2, true);
        x = nn.relu("features.4", x);
        x = nn.maxPool2d("features.5", x, 3, 2, 0, false);
        x = nn.conv2d("features.6", x, 384, 3, 1, 1, true);
        x = nn.relu("features.7", x);
        x = nn.conv2d("features.8", x, 256, 3, 1, 1, true);
        x = nn.relu("features.9", x);
        x = nn.conv2d("features.10", x, 256, 3, 1, 1, true);
        x = nn.relu("features.11", x);
        x = nn.maxPool2d("features.12", x, 3, 2, 0, false);
        // classifier.0 and .3 are dropouts.
        return DenseHead.of(nn, x, 6, numClasses, 1, 4, 6);
    }
}
