package io.vecnn;

import io.vecnn.image.ImageTransform;

import java.util.List;

/**
 * What a model expects and what its outputs mean: the input shape of one image (channels first, as PyTorch
 * gives it), the preprocessing that turns a photo into that input, and the class names.
 *
 * @param shape         one image: {@code C x H x W}
 * @param preprocessing torchvision's evaluation transform for this model: resize, centre crop, mean, std
 * @param labels        class names in output order; empty when neither the model file nor ImageNet names them
 */
public record InputSpec(Shape shape, ImageTransform preprocessing, List<String> labels) {
    public InputSpec {
        labels = List.copyOf(labels);
    }
}
