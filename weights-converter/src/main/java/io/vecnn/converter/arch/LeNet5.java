package io.vecnn.converter.arch;

import io.vecnn.Shape;

/**
 * LeNet-5 as seed 001 defines it for CIFAR-10: two 5x5 convolutions, each followed by a 2x2 max pool
 * and no activation, then three Linear layers with ReLU between them.
 */
public final class LeNet5 implements Architecture {
    private static final ArchitectureInfo INFO =
            new ArchitectureInfo("lenet5", "LeNet-5, 2 conv + 3 Linear", new Shape(3, 32, 32), 10);

    @Override
    public ArchitectureInfo info() {
        return INFO;
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("conv_layer.0", x, 6, 5, 1, 0, true);
        x = nn.maxPool2d("conv_layer.1", x, 2, 2, 0, false);
        x = nn.conv2d("conv_layer.2", x, 16, 5, 1, 0, true);
        x = nn.maxPool2d("conv_layer.3", x, 2, 2, 0, false);
        x = nn.flatten("flatten", x);
        x = nn.linear("fullconn_layer.0", x, 120, true);
        x = nn.relu("fullconn_layer.1", x);
        x = nn.linear("fullconn_layer.2", x, 84, true);
        x = nn.relu("fullconn_layer.3", x);
        return nn.linear("fullconn_layer.4", x, numClasses, true);
    }
}
