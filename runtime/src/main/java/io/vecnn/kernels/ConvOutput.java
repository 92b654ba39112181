package io.vecnn.kernels;

import io.vecnn.graph.ActivationFunction;

/**
 * Where and how a convolution writes its result: output channel {@code o} of pixel {@code p} goes to
 * {@code y[p * channels + channel + o]}, so a branch of a concat writes straight into its slice (a layer of
 * its own has {@code channel} 0 and {@code channels} its own count), clamped at zero when {@code relu}, then
 * passed through {@code activation} when there is one (MobileNet's ReLU6 after a convolution and its BatchNorm).
 * Fixed when the plan is built; the arrays come with each run.
 */
public record ConvOutput(int channel, int channels, boolean relu, ActivationFunction activation) {

    public ConvOutput(int channel, int channels, boolean relu) {
        this(channel, channels, relu, null);
    }

    /** The whole map of a layer with {@code channels} outputs. */
    public static ConvOutput whole(int channels, boolean relu) {
        return new ConvOutput(0, channels, relu);
    }

    /** The same place, with {@code f} applied after everything else. */
    public ConvOutput withActivation(ActivationFunction f) {
        return new ConvOutput(channel, channels, relu, f);
    }

    /** The index in {@code y} of output channel {@code o} of pixel {@code pixel}. */
    public int index(int pixel, int o) {
        return pixel * channels + channel + o;
    }
}
