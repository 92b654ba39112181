package io.vecnn.serve;

import io.vecnn.VecnnException;
import io.vecnn.image.ImageDecoder;

/**
 * What the server decodes, and how much at once: images are refused from their header, before any pixel is
 * decoded, when they are larger or more elongated than these limits, and decoding reserves its memory from a
 * budget shared by all requests (see {@link DecodeAdmission}).
 *
 * @param decodeBudgetBytes heap the images being decoded at one time may take together; a request whose image
 *                          does not fit waits briefly, then gets 503 with {@code Retry-After}
 * @param maxPixels         the largest image decoded, in pixels (413 above)
 * @param maxAspectRatio    the longest side over the shortest (422 above): a 1×60,000,000 sliver costs seconds
 *                          of decoding for a few thousand pixels the model sees
 */
public record ImageLimits(long decodeBudgetBytes, long maxPixels, int maxAspectRatio) {

    public ImageLimits {
        if (decodeBudgetBytes < 1 << 20) {
            throw new VecnnException("the image decode budget must be at least 1 MiB, got " + decodeBudgetBytes);
        }
        if (maxPixels < 1 || maxPixels > ImageDecoder.MAX_PIXELS) {
            throw new VecnnException(
                    "max image pixels must be between 1 and " + ImageDecoder.MAX_PIXELS + ", got " + maxPixels);
        }
        if (maxAspectRatio < 1) {
            throw new VecnnException("max aspect ratio must be at least 1, got " + maxAspectRatio);
        }
    }

    /**
     * A quarter of the heap's limit for decoding, images up to the decoder's own limit of 64 megapixels, sides
     * up to 100:1 (panoramas are 10:1 or less).
     */
    public static ImageLimits defaults() {
        return new ImageLimits(Runtime.getRuntime().maxMemory() / 4, ImageDecoder.MAX_PIXELS, 100);
    }
}
