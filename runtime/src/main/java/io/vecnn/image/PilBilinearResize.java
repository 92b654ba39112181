package io.vecnn.image;

import io.vecnn.VecnnException;

import java.util.Arrays;

/**
 * Pillow's {@code Image.resize(size, Image.BILINEAR)} on 8-bit images, reproduced to the bit: the resize
 * torchvision's {@code Resize} applies to a PIL image, so a model sees the same pixels it was trained on.
 *
 * <p>Like Pillow, it resizes in two separable passes, columns first and then rows, each a triangle filter
 * whose support widens with the downscale factor (antialiasing), with weights normalised to sum to one and
 * rounded to fixed point; each pass rounds and clips its output to 8 bits, and a pass is skipped when its
 * dimension does not change.
 */
public final class PilBilinearResize {
    // Pillow's fixed-point precision for 8-bit images: 8 bits of sample and 2 of headroom left in an int.
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilBilinearResize() {
    }

    /** {@code image} resized to {@code newWidth} × {@code newHeight}. */
    public static DecodedImage resize(DecodedImage image, int newWidth, int newHeight) {
        return new DecodedImage(newWidth, newHeight,
                resize(image.rgb, image.width(), image.height(), 3, newWidth, newHeight));
    }

    /**
     * Resizes interleaved 8-bit pixels with {@code channels} samples each (1 for Pillow's mode L, 3 for RGB).
     *
     * @return a new array of {@code newWidth * newHeight * channels} bytes
     * @throws VecnnException if a size is not positive, {@code pixels} has the wrong length or the result (or the
     *                        intermediate image of the first pass) would be over {@link ImageDecoder#MAX_PIXELS}
     */
    public static byte[] resize(byte[] pixels, int width, int height, int channels, int newWidth, int newHeight) {
        if (width <= 0 || height <= 0 || newWidth <= 0 || newHeight <= 0 || channels <= 0
                || (long) width * height * channels != pixels.length) {
            throw new VecnnException("cannot resize " + pixels.length + " bytes as " + width + "x" + height + "x"
                    + channels + " to " + newWidth + "x" + newHeight);
        }
        // A sliver of an image (1x60000) resized to a 256-pixel short side would be billions of pixels: refuse it
        // before an array size overflows int or exhausts the heap.
        if ((long) newWidth * height > ImageDecoder.MAX_PIXELS || (long) newWidth * newHeight > ImageDecoder.MAX_PIXELS) {
            throw new VecnnException("cannot resize a " + width + "x" + height + " image to " + newWidth + "x" + newHeight
                    + ": that is more than the " + ImageDecoder.MAX_PIXELS + " pixels VecNN resizes");
        }
        byte[] result = pixels;
        if (newWidth != width) {
            result = horizontal(result, width, height, channels, Weights.of(width, newWidth));
        }
        if (newHeight != height) {
            result = vertical(result, newWidth, channels, Weights.of(height, newHeight));
        }
        return result == pixels ? pixels.clone() : result;
    }

    private static byte[] horizontal(byte[] in, int width, int height, int channels, Weights w) {
        int outWidth = w.first.length;
        byte[] out = new byte[outWidth * height * channels];
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int x = 0; x < outWidth; x++) {
                int k = x * w.stride;
                int from = (row + w.first[x]) * channels;
                for (int c = 0; c < channels; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int i = 0, p = from + c; i < w.count[x]; i++, p += channels) {
                        sum += (in[p] & 0xFF) * w.fixed[k + i];
                    }
                    out[((y * outWidth) + x) * channels + c] = clip8(sum);
                }
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int width, int channels, Weights w) {
        int outHeight = w.first.length;
        int rowLength = width * channels;
        byte[] out = new byte[rowLength * outHeight];
        int[] sums = new int[rowLength];
        for (int y = 0; y < outHeight; y++) {
            Arrays.fill(sums, 1 << (PRECISION_BITS - 1));
            // Row by row rather than pixel by pixel: the same sums, read in memory order.
            for (int i = 0; i < w.count[y]; i++) {
                int weight = w.fixed[y * w.stride + i];
                int from = (w.first[y] + i) * rowLength;
                for (int j = 0; j < rowLength; j++) {
                    sums[j] += (in[from + j] & 0xFF) * weight;
                }
            }
            for (int j = 0; j < rowLength; j++) {
                out[y * rowLength + j] = clip8(sums[j]);
            }
        }
        return out;
    }

    private static byte clip8(int sum) {
        return (byte) Math.max(0, Math.min(255, sum >> PRECISION_BITS));
    }

    /**
     * For each output position, the first input position it reads, how many it reads and their fixed-point
     * weights (at {@code stride} per output position).
     */
    private record Weights(int[] first, int[] count, int[] fixed, int stride) {
        static Weights of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            // A reciprocal multiplied, not a division: Pillow's rounding, which decides the last bit of a weight.
            double inverseScale = 1.0 / filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] fixed = new int[outSize * stride];
            double[] weights = new double[stride];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                // Pillow rounds the window ends with a cast that truncates toward zero, before clamping them.
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(inSize, (int) (center + support + 0.5));
                double total = 0;
                for (int i = 0; i < hi - lo; i++) {
                    weights[i] = triangle((i + lo - center + 0.5) * inverseScale);
                    total += weights[i];
                }
                for (int i = 0; i < hi - lo; i++) {
                    double normalised = total != 0.0 ? weights[i] / total : weights[i];
                    // Triangle weights are never negative, so Pillow's rounding is a half-up cast here.
                    fixed[o * stride + i] = (int) (0.5 + normalised * (1 << PRECISION_BITS));
                }
                first[o] = lo;
                count[o] = hi - lo;
            }
            return new Weights(first, count, fixed, stride);
        }

        private static double triangle(double x) {
            double distance = Math.abs(x);
            return distance < 1.0 ? 1.0 - distance : 0.0;
        }
    }
}
