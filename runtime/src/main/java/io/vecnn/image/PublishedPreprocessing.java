package io.vecnn.image;

import java.util.Locale;
import java.util.Map;

/**
 * The evaluation transforms of torchvision 0.14's ImageNet weights ({@code weights.transforms()} of each
 * architecture's first, {@code IMAGENET1K_V1}, weights), where they are not the usual bilinear 256/224 with
 * ImageNet's mean and standard deviation: EfficientNet resizes bicubically to a size of its own per member, and
 * several newer families resize to 230–236 for a 224 crop. Also the CIFAR-10 ResNets of
 * akamaster/pytorch_resnet_cifar10, whose weights were trained on 32x32 images normalised by ImageNet's statistics.
 *
 * @param crop   the crop side the weights were published at
 * @param resize the side the shorter image side is resized to before that crop
 */
record PublishedPreprocessing(int crop, int resize, Interpolation interpolation, float[] mean, float[] std) {
    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final float[] HALF = {0.5f, 0.5f, 0.5f};
    private static final PublishedPreprocessing USUAL = imageNet(224, 256, Interpolation.BILINEAR);

    private static final Map<String, PublishedPreprocessing> BY_ARCHITECTURE = Map.ofEntries(
            Map.entry("inception_v3", imageNet(299, 342, Interpolation.BILINEAR)),
            Map.entry("efficientnet_b0", imageNet(224, 256, Interpolation.BICUBIC)),
            Map.entry("efficientnet_b1", imageNet(240, 256, Interpolation.BICUBIC)),
            Map.entry("efficientnet_b2", imageNet(288, 288, Interpolation.BICUBIC)),
            Map.entry("efficientnet_b3", imageNet(300, 320, Interpolation.BICUBIC)),
            Map.entry("efficientnet_b4", imageNet(380, 384, Interpolation.BICUBIC)),
            Map.entry("efficientnet_b5", imageNet(456, 456, Interpolation.BICUBIC)),
            Map.entry("efficientnet_b6", imageNet(528, 528, Interpolation.BICUBIC)),
            Map.entry("efficientnet_b7", imageNet(600, 600, Interpolation.BICUBIC)),
            Map.entry("efficientnet_v2_s", imageNet(384, 384, Interpolation.BILINEAR)),
            Map.entry("efficientnet_v2_m", imageNet(480, 480, Interpolation.BILINEAR)),
            // The only published weights normalised by 0.5 rather than ImageNet's statistics.
            Map.entry("efficientnet_v2_l", new PublishedPreprocessing(480, 480, Interpolation.BICUBIC, HALF, HALF)),
            Map.entry("convnext_tiny", imageNet(224, 236, Interpolation.BILINEAR)),
            Map.entry("convnext_small", imageNet(224, 230, Interpolation.BILINEAR)),
            Map.entry("convnext_base", imageNet(224, 232, Interpolation.BILINEAR)),
            Map.entry("convnext_large", imageNet(224, 232, Interpolation.BILINEAR)),
            Map.entry("mnasnet0_75", imageNet(224, 232, Interpolation.BILINEAR)),
            Map.entry("mnasnet1_3", imageNet(224, 232, Interpolation.BILINEAR)),
            Map.entry("resnext101_64x4d", imageNet(224, 232, Interpolation.BILINEAR)),
            Map.entry("shufflenet_v2_x1_5", imageNet(224, 232, Interpolation.BILINEAR)),
            Map.entry("shufflenet_v2_x2_0", imageNet(224, 232, Interpolation.BILINEAR)),
            Map.entry("resnet20", imageNet(32, 32, Interpolation.BILINEAR)),
            Map.entry("resnet32", imageNet(32, 32, Interpolation.BILINEAR)),
            Map.entry("resnet44", imageNet(32, 32, Interpolation.BILINEAR)),
            Map.entry("resnet56", imageNet(32, 32, Interpolation.BILINEAR)),
            Map.entry("resnet110", imageNet(32, 32, Interpolation.BILINEAR)),
            Map.entry("resnet1202", imageNet(32, 32, Interpolation.BILINEAR)));

    private static PublishedPreprocessing imageNet(int crop, int resize, Interpolation interpolation) {
        return new PublishedPreprocessing(crop, resize, interpolation, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** The published transforms of {@code architecture}, or null for any other name or null. */
    static PublishedPreprocessing of(String architecture) {
        return architecture == null ? null : BY_ARCHITECTURE.get(architecture.toLowerCase(Locale.ROOT));
    }

    /** The usual ImageNet transforms: bilinear 256/224, ImageNet's mean and standard deviation. */
    static PublishedPreprocessing usual() {
        return USUAL;
    }

    /** The resize for a crop of {@code side}: the published one at the published crop, the same ratio at others. */
    int resizeFor(int side) {
        return side == crop ? resize : (int) Math.round(side * (double) resize / crop);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }
}
