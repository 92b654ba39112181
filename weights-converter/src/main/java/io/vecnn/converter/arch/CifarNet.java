package io.vecnn.converter.arch;

import io.vecnn.Shape;

/**
 * The {@code Net} of PyTorch's "Training a classifier" CIFAR-10 tutorial: two 5x5 convolutions, each
 * followed by ReLU and the one shared 2x2 max pool, then three Linear layers with ReLU between them.
 * Its ReLUs are functional ({@code F.relu}), so only the convolutions and Linears have keys.
 */
public final class CifarNet implements Architecture {
    private static final ArchitectureInfo INFO =
            new ArchitectureInfo("cifar_net", "CIFAR-10 tutorial Net, 2 conv + 3 Linear", new Shape(3, 32, 32), 10);

    @Override
    public ArchitectureInfo info() {
        return INFO;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("conv1", x, 6, 5, 1, 0, true);
        x = nn.maxPool2d("pool", nn.relu("relu", x), 2, 2, 0, false);
        x = nn.conv2d("conv2", x, 16, 5, 1, 0, true);
        x = nn.maxPool2d("pool", nn.relu("relu", x), 2, 2, 0, false);
        x = nn.flatten("flatten", x);
        x = nn.relu("relu", nn.linear("fc1", x, 120, true));
        x = nn.relu("relu", nn.linear("fc2", x, 84, true));
        return nn.linear("fc3", x, numClasses, true);
    }
}
