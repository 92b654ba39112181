package io.vecnn.converter.arch;

import io.vecnn.Shape;

/** A value flowing through a network being built: its name in the graph and its shape at the build input size. */
public record Value(String name, Shape shape) {
    public int channels() {
        return shape.channels();
    }
}
