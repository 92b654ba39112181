package io.vecnn.image;

/**
 * What a JPEG or PNG file declares before its pixels ({@link ImageDecoder#header}): enough to refuse an image,
 * or reserve the memory its decoding takes, before decoding it.
 *
 * @param format "JPEG" or "PNG"
 */
public record ImageHeader(String format, int width, int height) {
    /**
     * Heap bytes decoding takes per pixel, at most: the decoder's image (3 bytes a pixel for JPEG, up to 4 for
     * PNG with alpha, 8 for 16-bit samples, which are cut to 8 at once) and the RGB copy (3), with room for the
     * decoder's row buffers.
     */
    public static final long DECODE_BYTES_PER_PIXEL = 8;

    public long pixels() {
        return (long) width * height;
    }

    /** The longer side over the shorter, at least 1. */
    public double aspectRatio() {
        return (double) Math.max(width, height) / Math.max(1, Math.min(width, height));
    }

    /** The heap {@link ImageDecoder#decode} needs for this image at most, while it runs. */
    public long decodeBytes() {
        return pixels() * DECODE_BYTES_PER_PIXEL;
    }
}
