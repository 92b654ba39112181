package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.graph.ActivationFunction;

/**
 * torchvision's ConvNeXt, tiny to large: a 4x4 stride-4 "patchify" convolution and a LayerNorm, four stages of
 * CNBlocks with a LayerNorm and a 2x2 stride-2 convolution between them, global average pool, a LayerNorm and
 * one Linear. A CNBlock is a depthwise 7x7 convolution, then on the channels-last map a LayerNorm, a Linear to
 * four times the width, GELU and a Linear back, each channel scaled by {@code layer_scale} and the input added
 * back (stochastic depth is the identity at inference). The Linears act on each pixel's channels, so here they
 * are 1x1 convolutions, and both of torchvision's LayerNorms (LayerNorm2d on NCHW, nn.LayerNorm channels-last)
 * are one op over each pixel's channels; every LayerNorm has eps 1e-6. Keys are torchvision's
 * ({@code features.1.0.block.3}, {@code features.1.0.layer_scale}, {@code classifier.2}); small, base and large
 * have the same keys and differ in width, by which {@code --arch auto} tells them apart. torchvision's weights
 * are evaluated at a 224 crop of a resize to 236 (tiny), 230 (small) or 232 (base, large).
 */
public final class ConvNeXt implements Architecture {
    private static final double LN_EPS = 1e-6;

    private final ArchitectureInfo info;
    /** Each stage's width. */
    private final int[] widths;
    /** Each stage's number of blocks. */
    private final int[] depths;

    private ConvNeXt(String name, String description, int[] widths, int[] depths) {
        this.info = new ArchitectureInfo(
                "convnext_" + name,
                description + ", stages of " + depths[0] + "-" + depths[1] + "-" + depths[2] + "-" + depths[3]
                        + " CNBlocks " + widths[0] + "-" + widths[1] + "-" + widths[2] + "-" + widths[3] + " wide",
                new Shape(3, 224, 224),
                1000);
        this.widths = widths;
        this.depths = depths;
    }

    public static ConvNeXt tiny() {
        return new ConvNeXt("tiny", "ConvNeXt-T", new int[] {96, 192, 384, 768}, new int[] {3, 3, 9, 3});
    }

    public static ConvNeXt small() {
        return new ConvNeXt("small", "ConvNeXt-S", new int[] {96, 192, 384, 768}, new int[] {3, 3, 27, 3});
    }

    public static ConvNeXt base() {
        return new ConvNeXt("base", "ConvNeXt-B", new int[] {128, 256, 512, 1024}, new int[] {3, 3, 27, 3});
    }

    public static ConvNeXt large() {
        return new ConvNeXt("large", "ConvNeXt-L", new int[] {192, 384, 768, 1536}, new int[] {3, 3, 27, 3});
    }

    @Override
    public ArchitectureInfo info() {
        return info;
    }

    /** The stem is as wide as this member's first stage. */
    @Override
    public boolean hasWidthsOf(StateDict weights) {
        TorchTensor stem = weights.get("features.0.0.weight");
        return stem == null || stem.rank() != 4 || stem.dim(0) == widths[0];
    }

    @Override
    public Value forward(NetworkBuilder nn, Value x, int numClasses) {
        x = nn.conv2d("features.0.0", x, widths[0], 4, 4, 0, true);
        x = nn.layerNorm("features.0.1", x, LN_EPS);
        for (int s = 0; s < widths.length; s++) {
            int index = 1 + 2 * s;
            for (int i = 0; i < depths[s]; i++) {
                x = cnBlock(nn, "features." + index + "." + i, x);
            }
            if (s + 1 < widths.length) {
                x = nn.layerNorm("features." + (index + 1) + ".0", x, LN_EPS);
                x = nn.conv2d("features." + (index + 1) + ".1", x, widths[s + 1], 2, 2, 0, true);
            }
        }
        x = nn.adaptiveAvgPool2d("avgpool", x, 1, 1);
        x = nn.layerNorm("classifier.0", x, LN_EPS);
        x = nn.flatten("classifier.1", x);
        return nn.linear("classifier.2", x, numClasses, true);
    }

    /** {@code CNBlock(dim)}: {@code input + layer_scale * block(input)}. */
    private static Value cnBlock(NetworkBuilder nn, String p, Value input) {
        int dim = input.channels();
        Value y = nn.depthwiseConv2d(p + ".block.0", input, 7, 1, 3, true);
        y = nn.layerNorm(p + ".block.2", y, LN_EPS);
        y = nn.pixelwiseLinear(p + ".block.3", y, 4 * dim, true);
        y = nn.activation(p + ".block.4", ActivationFunction.GELU, y);
        y = nn.pixelwiseLinear(p + ".block.5", y, dim, true);
        y = nn.layerScale(p + ".layer_scale", y);
        return nn.add(p + ".add", y, input);
    }
}
