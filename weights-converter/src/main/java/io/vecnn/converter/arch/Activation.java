package io.vecnn.converter.arch;

import io.vecnn.graph.ActivationFunction;

/** The activation layer a torchvision block is given ({@code activation_layer=nn.ReLU6}), or none. */
public record Activation(ActivationFunction function, boolean relu) {
    public static final Activation NONE = new Activation(null, false);
    public static final Activation RELU = new Activation(null, true);
    public static final Activation RELU6 = of(ActivationFunction.RELU6);
    public static final Activation HARDSWISH = of(ActivationFunction.HARDSWISH);
    public static final Activation SILU = of(ActivationFunction.SILU);
    public static final Activation SIGMOID = of(ActivationFunction.SIGMOID);
    public static final Activation HARDSIGMOID = of(ActivationFunction.HARDSIGMOID);

    public static Activation of(ActivationFunction f) {
        return new Activation(f, false);
    }

    /** The layer on {@code x}, named {@code name}; {@code x} itself for none. */
    public Value apply(NetworkBuilder nn, String name, Value x) {
        if (relu) {
            return nn.relu(name, x);
        }
        return function == null ? x : nn.activation(name, function, x);
    }
}
