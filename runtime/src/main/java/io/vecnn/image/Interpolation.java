package io.vecnn.image;

/**
 * The resampling filter of a resize, as Pillow defines it and torchvision's {@code InterpolationMode} names it:
 * most torchvision weights were trained on bilinear resizes, EfficientNet's on bicubic ones.
 */
public enum Interpolation {
    /** A triangle filter reaching one input pixel either side (at scale 1). */
    BILINEAR(1.0),
    /** Keys' cubic convolution with {@code a = -0.5}, reaching two input pixels either side (at scale 1). */
    BICUBIC(2.0);

    // Pillow's bicubic coefficient (ImagingResample's "a"), as in its filter definition.
    private static final double A = -0.5;

    private final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** How far the filter reaches, in input pixels, before it widens for a downscale. */
    double support() {
        return support;
    }

    /** The filter's weight at {@code x} input pixels from the centre of the output pixel. */
    double weight(double x) {
        double d = Math.abs(x);
        if (this == BILINEAR) {
            return d < 1.0 ? 1.0 - d : 0.0;
        }
        if (d < 1.0) {
            return ((A + 2.0) * d - (A + 3.0)) * d * d + 1;
        }
        return d < 2.0 ? (((d - 5) * d + 8) * d - 4) * A : 0.0;
    }
}
