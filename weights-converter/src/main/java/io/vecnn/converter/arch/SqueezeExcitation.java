package io.vecnn.converter.arch;

/**
 * torchvision's {@code SqueezeExcitation}: global average pool, {@code fc1} (a 1x1 convolution with bias) to the
 * squeeze width, an activation, {@code fc2} back to the input's width, a gate activation, and the input scaled
 * channel by channel by the result. Keys {@code PREFIX.fc1.*} and {@code PREFIX.fc2.*}; the squeeze width
 * comes from the file.
 */
public final class SqueezeExcitation {
    private SqueezeExcitation() {}

    public static Value of(
            NetworkBuilder nn, String prefix, Value x, int squeeze, Activation activation, Activation gate) {
        Value s = nn.adaptiveAvgPool2d(prefix + ".avgpool", x, 1, 1);
        s = nn.conv2d(prefix + ".fc1", s, squeeze, 1, 1, 0, true);
        s = activation.apply(nn, prefix + ".activation", s);
        s = nn.conv2d(prefix + ".fc2", s, x.channels(), 1, 1, 0, true);
        s = gate.apply(nn, prefix + ".scale_activation", s);
        return nn.scaleChannels(prefix + ".scale", x, s);
    }
}
