package io.vecnn.image;

import io.vecnn.VecnnException;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * torchvision's evaluation preprocessing, reproduced exactly on a decoded image:
 * {@code Resize(resize, interpolation)}, {@code CenterCrop((cropHeight, cropWidth))}, {@code Grayscale()} when
 * {@code grayscale}, {@code ToTensor()} and {@code Normalize(mean, std)}, as torchvision 0.14 runs them on a PIL
 * image. The result is written as float32 straight into the caller's input buffer.
 *
 * @param resize     the length the shorter side is resized to (the longer keeps the aspect ratio, truncated)
 * @param cropHeight height of the centre crop, zero-padded when larger than the resized image
 * @param cropWidth  width of the centre crop, zero-padded when larger than the resized image
 * @param grayscale  whether the crop is converted to one luma channel (Pillow's {@code convert("L")})
 * @param mean       per-channel mean subtracted from the [0, 1] samples (1 value if grayscale, 3 if not)
 * @param std        per-channel standard deviation the samples are divided by after that
 * @param interpolation the resize filter, bilinear unless the weights were trained on another
 */
public record ImageTransform(
        int resize,
        int cropHeight,
        int cropWidth,
        boolean grayscale,
        float[] mean,
        float[] std,
        Interpolation interpolation) {
    private static final int SMALL_INPUT = 64;

    /** @throws VecnnException if a size is not positive or mean or std do not have one value per channel */
    public ImageTransform {
        int channels = grayscale ? 1 : 3;
        if (resize <= 0 || cropHeight <= 0 || cropWidth <= 0) {
            throw new VecnnException(
                    "resize " + resize + " and crop " + cropHeight + "x" + cropWidth + " must be positive");
        }
        if (mean.length != channels || std.length != channels) {
            throw new VecnnException("a " + channels + "-channel transform needs " + channels
                    + " means and standard deviations, got " + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s != 0 && Float.isFinite(s))) {
                throw new VecnnException("standard deviation " + s + " cannot normalise");
            }
        }
        if (interpolation == null) {
            throw new VecnnException("a transform needs an interpolation (bilinear or bicubic)");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** A transform with torchvision's default, bilinear, resize. */
    public ImageTransform(int resize, int cropHeight, int cropWidth, boolean grayscale, float[] mean, float[] std) {
        this(resize, cropHeight, cropWidth, grayscale, mean, std, Interpolation.BILINEAR);
    }

    /**
     * The preprocessing a model of this architecture and input shape was trained with, by torchvision's
     * conventions. Inputs over 64 pixels get the transforms of the architecture's published ImageNet weights
     * ({@link PublishedPreprocessing}: EfficientNet's bicubic resizes and per-member sizes, ConvNeXt's 236/224),
     * or by default ImageNet's usual ones: a centre crop of the input size out of the image resized to 256/224
     * of it (256 for 224, 342 for Inception v3's 299), bilinear, and ImageNet's mean and standard deviation.
     * A model converted at another input size than its weights' keeps their resize-to-crop ratio. The CIFAR
     * ResNets get their published weights' 32x32 with ImageNet's statistics. LeNet (whatever its size) and other inputs of 64 pixels or less get the CIFAR-10 tutorial's:
     * resized straight to the input size, mean and standard deviation 0.5. One-channel models see grey
     * images, normalised by 0.5 and 0.5 (ImageNet has no grey statistics).
     *
     * @param architecture the model's architecture name ({@code "lenet5"}, {@code "resnet50"}), or null
     * @throws VecnnException if {@code channels} is not 1 or 3 or a size is not positive
     */
    public static ImageTransform forModel(String architecture, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new VecnnException("images preprocess to 1 or 3 channels, not " + channels);
        }
        int side = Math.max(height, width);
        boolean lenet =
                architecture != null && architecture.toLowerCase(Locale.ROOT).startsWith("lenet");
        PublishedPreprocessing published = PublishedPreprocessing.of(architecture);
        // Small inputs get the CIFAR tutorial's transform, unless the architecture's own weights are small ones.
        boolean smallWeights = published != null && published.crop() <= SMALL_INPUT;
        boolean small = !smallWeights && (lenet || side <= SMALL_INPUT);
        boolean grey = channels == 1;
        PublishedPreprocessing p = published == null ? PublishedPreprocessing.usual() : published;
        // The larger crop side, so the crop fits inside the resized image whatever its orientation.
        int resize = small ? side : p.resizeFor(side);
        float[] mean = small || grey ? half(channels) : p.mean();
        float[] std = small || grey ? half(channels) : p.std();
        Interpolation filter = small ? Interpolation.BILINEAR : p.interpolation();
        return new ImageTransform(resize, height, width, grey, mean, std, filter);
    }

    private static float[] half(int channels) {
        float[] values = new float[channels];
        Arrays.fill(values, 0.5f);
        return values;
    }

    /** 1 if grayscale, 3 if not. */
    public int channels() {
        return grayscale ? 1 : 3;
    }

    /** How many floats one image becomes: channels × crop height × crop width. */
    public int length() {
        return channels() * cropHeight * cropWidth;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Writes the preprocessed {@code image} at {@code out[offset]} channel by channel (one image of NCHW). */
    public void writeNchw(DecodedImage image, float[] out, int offset) {
        write(image, out, offset, true);
    }

    /** Writes the preprocessed {@code image} at {@code out[offset]} pixel by pixel (one image of NHWC). */
    public void writeNhwc(DecodedImage image, float[] out, int offset) {
        write(image, out, offset, false);
    }

    private void write(DecodedImage image, float[] out, int offset, boolean nchw) {
        Objects.checkFromIndexSize(offset, length(), out.length);
        byte[] pixels = cropOfResized(image);
        int channels = channels();
        int plane = cropHeight * cropWidth;
        for (int c = 0; c < channels; c++) {
            float[] table = normalised(c);
            for (int p = 0; p < plane; p++) {
                out[offset + (nchw ? c * plane + p : p * channels + c)] = table[pixels[p * channels + c] & 0xFF];
            }
        }
    }

    // ToTensor then Normalize on every possible sample, in float32 as torch computes them.
    private float[] normalised(int channel) {
        float[] table = new float[256];
        for (int v = 0; v < 256; v++) {
            table[v] = ((float) v / 255f - mean[channel]) / std[channel];
        }
        return table;
    }

    // Resize then CenterCrop as interleaved samples (1 or 3 a pixel), resizing only the pixels the crop keeps: a
    // sliver of an image (1x60000) resizes to billions of pixels, of which the crop keeps a few thousand.
    private byte[] cropOfResized(DecodedImage image) {
        int w = image.width();
        int h = image.height();
        int shorter = Math.min(w, h);
        int longer = Math.max(w, h);
        // torchvision's int(size * long / short): an exact product, a rounded true division, a truncation.
        int resizedLonger = (int) ((double) ((long) resize * longer) / shorter);
        int newWidth = w <= h ? resize : resizedLonger;
        int newHeight = w <= h ? resizedLonger : resize;
        int top = cropOffset(newHeight, cropHeight);
        int left = cropOffset(newWidth, cropWidth);
        // Outside the resized image, torchvision pads with 0.
        int keptLeft = Math.max(0, left);
        int keptTop = Math.max(0, top);
        int keptWidth = (int) Math.min(newWidth, (long) left + cropWidth) - keptLeft;
        int keptHeight = (int) Math.min(newHeight, (long) top + cropHeight) - keptTop;
        DecodedImage kept = PilResize.resizeRegion(
                image, newWidth, newHeight, keptLeft, keptTop, keptWidth, keptHeight, interpolation);
        int channels = channels();
        byte[] out = new byte[length()];
        for (int ky = 0; ky < keptHeight; ky++) {
            int y = ky + keptTop - top;
            for (int kx = 0; kx < keptWidth; kx++) {
                int from = (ky * keptWidth + kx) * 3;
                int to = (y * cropWidth + kx + keptLeft - left) * channels;
                if (grayscale) {
                    out[to] = luma(kept.rgb[from] & 0xFF, kept.rgb[from + 1] & 0xFF, kept.rgb[from + 2] & 0xFF);
                } else {
                    System.arraycopy(kept.rgb, from, out, to, 3);
                }
            }
        }
        return out;
    }

    /**
     * Where the crop starts in a side of {@code size}: torchvision's {@code int(round((size - crop) / 2.0))},
     * rounding halves to even, or minus the left or top padding, {@code (crop - size) // 2}, when it is larger.
     */
    static int cropOffset(int size, int crop) {
        return crop > size ? -((crop - size) / 2) : (int) Math.rint((size - crop) / 2.0);
    }

    // Pillow's fixed-point ITU-R 601-2 luma: weights 0.299, 0.587, 0.114 in 16 bits, rounded.
    private static byte luma(int r, int g, int b) {
        return (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageTransform t
                && resize == t.resize
                && cropHeight == t.cropHeight
                && cropWidth == t.cropWidth
                && grayscale == t.grayscale
                && Arrays.equals(mean, t.mean)
                && Arrays.equals(std, t.std)
                && interpolation == t.interpolation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                resize, cropHeight, cropWidth, grayscale, Arrays.hashCode(mean), Arrays.hashCode(std), interpolation);
    }

    @Override
    public String toString() {
        return "Resize(" + resize + (interpolation == Interpolation.BILINEAR ? "" : ", " + interpolation)
                + ") CenterCrop(" + cropHeight + "x" + cropWidth + ")"
                + (grayscale ? " Grayscale()" : "") + " ToTensor() Normalize(" + Arrays.toString(mean) + ", "
                + Arrays.toString(std) + ")";
    }
}
