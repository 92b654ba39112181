package io.vecnn.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.VecnnException;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Any bytes posted as an image: decoded, then preprocessed as an ImageNet model (resize 256, crop 224), a
 * CIFAR-sized one (straight to 32x32) and a grey one would. ImageIO's own exceptions must come out as
 * VecnnException, and no file may make the decoder or the resize allocate past the pixel bound.
 */
class ImageDecoderFuzzTest {
    private static final ImageTransform[] TRANSFORMS = {
        ImageTransform.forModel("resnet18", 3, 224, 224),
        ImageTransform.forModel("lenet5", 3, 32, 32),
        ImageTransform.forModel("lenet5", 1, 28, 28),
    };

    @FuzzTest(maxDuration = "20s")
    void decodeAndPreprocess(byte[] bytes) {
        DecodedImage image;
        try {
            image = ImageDecoder.decode(bytes);
        } catch (VecnnException expected) {
            assertFalse(expected.getMessage() == null || expected.getMessage().isBlank(), "blank error message");
            return;
        }
        for (ImageTransform transform : TRANSFORMS) {
            try {
                transform.writeNchw(image, new float[transform.length()], 0);
            } catch (VecnnException expected) {
                assertFalse(
                        expected.getMessage() == null || expected.getMessage().isBlank(), "blank error message");
            }
        }
    }
}
