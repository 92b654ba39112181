package io.vecnn.image;

import io.vecnn.VecnnException;

import java.util.Arrays;

/**
 * Pillow's {@code Image.resize(size, Image.BILINEAR)} and {@code Image.BICUBIC} on 8-bit images, reproduced to the
 * bit: the resize torchvision's {@code Resize} applies to a PIL image, so a model sees the same pixels it was
 * trained on.
 *
 * <p>Like Pillow, it resizes in two separable passes, columns first and then rows, each a filter (triangle or
 * cubic) whose support widens with the downscale factor (antialiasing), with weights normalised to sum to one and
 * rounded to fixed point; each pass rounds and clips its output to 8 bits, and a pass is skipped when its
 * dimension does not change.
 */
public final class PilResize {
    // Pillow's fixed-point precision for 8-bit images: 8 bits of sample and 2 of headroom left in an int.
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {}

    /** {@code image} resized to {@code newWidth} × {@code newHeight}. */
    public static DecodedImage resize(DecodedImage image, int newWidth, int newHeight, Interpolation filter) {
        return new DecodedImage(
                newWidth, newHeight, resize(image.rgb, image.width(), image.height(), 3, newWidth, newHeight, filter));
    }

    /**
     * The {@code regionWidth} × {@code regionHeight} pixels at ({@code left}, {@code top}) of {@code image} resized
     * to {@code newWidth} × {@code newHeight}, computing those pixels only: what a centre crop keeps of a resize,
     * without the rest of a resized image that may be far larger than the crop.
     */
    public static DecodedImage resizeRegion(
            DecodedImage image,
            int newWidth,
            int newHeight,
            int left,
            int top,
            int regionWidth,
            int regionHeight,
            Interpolation filter) {
        return new DecodedImage(
                regionWidth,
                regionHeight,
                resize(
                        image.rgb,
                        image.width(),
                        image.height(),
                        3,
                        newWidth,
                        newHeight,
                        left,
                        top,
                        regionWidth,
                        regionHeight,
                        filter));
    }

    /**
     * Resizes interleaved 8-bit pixels with {@code channels} samples each (1 for Pillow's mode L, 3 for RGB).
     *
     * @return a new array of {@code newWidth * newHeight * channels} bytes
     * @throws VecnnException if a size is not positive, {@code pixels} has the wrong length or the result would be
     *                        over {@link ImageDecoder#MAX_PIXELS}
     */
    public static byte[] resize(
            byte[] pixels, int width, int height, int channels, int newWidth, int newHeight, Interpolation filter) {
        return resize(pixels, width, height, channels, newWidth, newHeight, 0, 0, newWidth, newHeight, filter);
    }

    private static byte[] resize(
            byte[] pixels,
            int width,
            int height,
            int channels,
            int newWidth,
            int newHeight,
            int left,
            int top,
            int regionWidth,
            int regionHeight,
            Interpolation filter) {
        if (width <= 0
                || height <= 0
                || newWidth <= 0
                || newHeight <= 0
                || channels <= 0
                || (long) width * height * channels != pixels.length) {
            throw new VecnnException("cannot resize " + pixels.length + " bytes as " + width + "x" + height + "x"
                    + channels + " to " + newWidth + "x" + newHeight);
        }
        if (left < 0
                || top < 0
                || regionWidth <= 0
                || regionHeight <= 0
                || (long) left + regionWidth > newWidth
                || (long) top + regionHeight > newHeight) {
            throw new VecnnException("region " + regionWidth + "x" + regionHeight + " at (" + left + ", " + top
                    + ") is not inside the " + newWidth + "x" + newHeight + " resized image");
        }
        Weights rows = newHeight == height ? null : Weights.of(height, newHeight, top, regionHeight, filter);
        int firstRow = rows == null ? top : rows.firstInput();
        int rowCount = rows == null ? regionHeight : rows.inputsRead();
        // The first pass's output (the rows the second pass reads) and the region itself are allocated: refuse
        // either past the decoder's bound before an array size overflows int or exhausts the heap.
        if ((long) regionWidth * rowCount > ImageDecoder.MAX_PIXELS
                || (long) regionWidth * regionHeight > ImageDecoder.MAX_PIXELS) {
            throw new VecnnException("cannot resize a " + width + "x" + height + " image to " + regionWidth + "x"
                    + regionHeight + ": that is more than the " + ImageDecoder.MAX_PIXELS + " pixels VecNN resizes");
        }
        byte[] columns = newWidth == width
                ? slice(pixels, width, channels, left, firstRow, regionWidth, rowCount)
                : horizontal(
                        pixels,
                        width,
                        firstRow,
                        rowCount,
                        channels,
                        Weights.of(width, newWidth, left, regionWidth, filter));
        byte[] result = rows == null ? columns : vertical(columns, regionWidth, channels, firstRow, rows);
        return result == pixels ? pixels.clone() : result;
    }

    // The region of rows and columns a pass that does not change the size leaves as it is.
    private static byte[] slice(byte[] in, int width, int channels, int left, int top, int regionWidth, int rows) {
        if (left == 0 && top == 0 && regionWidth == width && (long) rows * width * channels == in.length) {
            return in;
        }
        byte[] out = new byte[regionWidth * rows * channels];
        for (int y = 0; y < rows; y++) {
            System.arraycopy(
                    in, ((top + y) * width + left) * channels, out, y * regionWidth * channels, regionWidth * channels);
        }
        return out;
    }

    private static byte[] horizontal(byte[] in, int width, int firstRow, int height, int channels, Weights w) {
        int outWidth = w.first.length;
        byte[] out = new byte[outWidth * height * channels];
        for (int y = 0; y < height; y++) {
            int row = (firstRow + y) * width;
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

    // in holds the input rows from firstRow on, as the horizontal pass left them.
    private static byte[] vertical(byte[] in, int width, int channels, int firstRow, Weights w) {
        int outHeight = w.first.length;
        int rowLength = width * channels;
        byte[] out = new byte[rowLength * outHeight];
        int[] sums = new int[rowLength];
        for (int y = 0; y < outHeight; y++) {
            Arrays.fill(sums, 1 << (PRECISION_BITS - 1));
            // Row by row rather than pixel by pixel: the same sums, read in memory order.
            for (int i = 0; i < w.count[y]; i++) {
                int weight = w.fixed[y * w.stride + i];
                int from = (w.first[y] - firstRow + i) * rowLength;
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
     * For each output position of a run of {@code first.length} (from {@code from} on), the first input position
     * it reads, how many it reads and their fixed-point weights (at {@code stride} per output position).
     */
    private record Weights(int[] first, int[] count, int[] fixed, int stride) {
        static Weights of(int inSize, int outSize, int from, int length, Interpolation filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support() * filterScale;
            // A reciprocal multiplied, not a division: Pillow's rounding, which decides the last bit of a weight.
            double inverseScale = 1.0 / filterScale;
            int stride = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[length];
            int[] count = new int[length];
            int[] fixed = new int[length * stride];
            double[] weights = new double[stride];
            for (int r = 0; r < length; r++) {
                double center = (from + r + 0.5) * scale;
                // Pillow rounds the window ends with a cast that truncates toward zero, before clamping them.
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(inSize, (int) (center + support + 0.5));
                double total = 0;
                for (int i = 0; i < hi - lo; i++) {
                    weights[i] = filter.weight((i + lo - center + 0.5) * inverseScale);
                    total += weights[i];
                }
                for (int i = 0; i < hi - lo; i++) {
                    double normalised = total != 0.0 ? weights[i] / total : weights[i];
                    // Pillow rounds half away from zero: bicubic weights can be negative.
                    double scaled = normalised * (1 << PRECISION_BITS);
                    fixed[r * stride + i] = (int) (scaled < 0 ? scaled - 0.5 : scaled + 0.5);
                }
                first[r] = lo;
                count[r] = hi - lo;
            }
            return new Weights(first, count, fixed, stride);
        }

        /** The first input position any output of the run reads. */
        int firstInput() {
            int min = Integer.MAX_VALUE;
            for (int f : first) {
                min = Math.min(min, f);
            }
            return min;
        }

        /** How many input positions, from {@link #firstInput}, the run reads. */
        int inputsRead() {
            int end = 0;
            for (int i = 0; i < first.length; i++) {
                end = Math.max(end, first[i] + count[i]);
            }
            return end - firstInput();
        }
    }
}
