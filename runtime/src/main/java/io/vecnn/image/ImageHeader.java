package io.vecnn.image;

/**
 * What a JPEG or PNG file declares before its pixels ({@link ImageDecoder#header}): enough to refuse an image,
 * or reserve the memory its decoding takes, before decoding it.
 *
 * @param format             "JPEG" or "PNG"
 * @param rasterBytesPerPixel bytes a pixel takes in the image the JDK's decoder builds (3 for an RGB JPEG, 4 for
 *                           an RGBA PNG, 8 for a 16-bit one)
 */
public record ImageHeader(String format, int width, int height, int rasterBytesPerPixel) {
    /** The RGB copy {@link ImageDecoder#decode} makes of the decoder's image, a byte per sample. */
    private static final int RGB_BYTES_PER_PIXEL = 3;

    /** The resize's intermediate rows and what the decoder allocates by row, a small fraction of an image. */
    private static final double SLACK = 1.1;

    public long pixels() {
        return (long) width * height;
    }

    /** The longer side over the shorter, at least 1. */
    public double aspectRatio() {
        return (double) Math.max(width, height) / Math.max(1, Math.min(width, height));
    }

    /**
     * The heap {@link ImageDecoder#decode} needs for this image: all it allocates, which bounds what it holds at
     * once. The decoder's image, the RGB copy, and as much again as the decoder's image for its own buffers (the
     * JDK's JPEG and PNG readers allocate 9.2 to 9.4 bytes a pixel for an RGB image, 11.3 for RGBA, 4.1 for 8-bit
     * grey), with some slack.
     */
    public long decodeBytes() {
        return (long) (pixels() * (2 * rasterBytesPerPixel + RGB_BYTES_PER_PIXEL) * SLACK);
    }
}
