package io.vecnn.converter.arch;

import io.vecnn.Shape;

/**
 * LeNet-5 as seed 001 defines it for CIFAR-10: two 5x5 convolutions, each followed by a 2x2 max pool
 * and no activation, then three Linear layers with ReLU between them.
 */
public final class LeNet5 implements Architecture {

    @Override
    public String name() {
        return "lenet5";
    }

    @Override
    public Shape defaultInput() {
        return new Shape(3, 32, 32);
    }

    @Override
    public int defaultNumClasses() {
        return 10;
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
