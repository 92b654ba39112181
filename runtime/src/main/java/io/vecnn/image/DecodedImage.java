package io.vecnn.image;

import io.vecnn.VecnnException;

/**
 * A decoded picture as 8-bit RGB, interleaved row by row ({@code R, G, B} of pixel (0, 0), then of (1, 0),
 * ...), whatever the file held: what Pillow's {@code Image.convert("RGB")} gives, the input torchvision's
 * transforms start from.
 */
public final class DecodedImage {
    private final int width;
    private final int height;
    final byte[] rgb;

    /**
     * Wraps {@code rgb} (not copied) as a {@code width} × {@code height} image.
     *
     * @throws VecnnException if the sizes are not positive or {@code rgb} does not hold 3 bytes per pixel
     */
    public DecodedImage(int width, int height, byte[] rgb) {
        if (width <= 0 || height <= 0 || (long) width * height * 3 != rgb.length) {
            throw new VecnnException("an RGB image of " + width + "x" + height + " needs "
                    + Math.max(0L, (long) width * height * 3) + " bytes, got " + rgb.length);
        }
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** A copy of the pixels, 3 bytes per pixel. */
    public byte[] rgb() {
        return rgb.clone();
    }

    /** Channel {@code c} (0 red, 1 green, 2 blue) of pixel ({@code x}, {@code y}), 0 to 255. */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    @Override
    public String toString() {
        return "RGB image " + width + "x" + height;
    }
}
