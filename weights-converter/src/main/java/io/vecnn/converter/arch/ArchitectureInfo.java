package io.vecnn.converter.arch;

import io.vecnn.Shape;

/**
 * What an architecture is, apart from its {@code forward}: the name used on the command line and in model
 * files, a summary, and the input size and classifier width its published weights have.
 *
 * @param description what the network is, for summaries: e.g. {@code ResNet-50, Bottleneck blocks 3-4-6-3}
 */
public record ArchitectureInfo(String name, String description, Shape defaultInput, int defaultNumClasses) {
    private static final Shape IMAGENET_INPUT = new Shape(3, 224, 224);
    private static final int IMAGENET_CLASSES = 1000;

    /** An ImageNet classifier at torchvision's usual 3x224x224. */
    public static ArchitectureInfo imageNet(String name, String description) {
        return new ArchitectureInfo(name, description, IMAGENET_INPUT, IMAGENET_CLASSES);
    }
}
