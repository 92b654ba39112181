package io.vecnn.image;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageTransformTest {
    private static final float[] ZERO = {0, 0, 0};
    private static final float[] ONE = {1, 1, 1};

    @ParameterizedTest(name = "side {0}, crop {1}: starts at {2}")
    @CsvSource({
        "7, 4, 2", // 1.5 rounds to even 2
        "9, 4, 2", // 2.5 rounds to even 2
        "11, 4, 4", // 3.5 rounds to even 4
        "8, 5, 2", // 1.5 again, from an odd crop
        "10, 4, 3", // no half
        "6, 6, 0",
        "4, 7, -1", // larger: padded by (7 - 4) // 2 = 1 on the left, 2 on the right
        "4, 8, -2"
    })
    void centreCropRoundsLikePython(int side, int crop, int start) {
        // The other side is 4, the resize target, so neither Resize nor the crop touches it.
        DecodedImage wide = coordinates(side, 4);
        float[] rows = new float[3 * 4 * crop];
        new ImageTransform(4, 4, crop, false, ZERO, ONE).writeNchw(wide, rows, 0);
        DecodedImage tall = coordinates(4, side);
        float[] columns = new float[3 * crop * 4];
        new ImageTransform(4, crop, 4, false, ZERO, ONE).writeNchw(tall, columns, 0);
        for (int i = 0; i < crop; i++) {
            int source = start + i;
            boolean inside = source >= 0 && source < side;
            // Red holds x + 1 and green y + 1, so padding (0) differs from every pixel.
            assertEquals(inside ? (source + 1) / 255f : 0f, rows[i], "column " + i);
            assertEquals(inside ? (source + 1) / 255f : 0f, columns[crop * 4 + i * 4], "row " + i);
        }
    }

    @Test
    void nchwAndNhwcHoldTheSameValuesAtAnOffset() {
        DecodedImage image = random(97, 61, 4);
        ImageTransform transform = ImageTransform.forModel("resnet18", 3, 40, 56);
        int offset = 11;
        float[] nchw = new float[offset + transform.length() + 3];
        float[] nhwc = new float[nchw.length];
        Arrays.fill(nchw, Float.NaN);
        Arrays.fill(nhwc, Float.NaN);
        transform.writeNchw(image, nchw, offset);
        transform.writeNhwc(image, nhwc, offset);
        int plane = 40 * 56;
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < plane; p++) {
                assertEquals(nchw[offset + c * plane + p], nhwc[offset + p * 3 + c]);
                assertTrue(Float.isFinite(nchw[offset + c * plane + p]));
            }
        }
        for (int i : new int[] {0, offset - 1, offset + transform.length(), nchw.length - 1}) {
            assertTrue(Float.isNaN(nchw[i]) && Float.isNaN(nhwc[i]), "wrote outside its range at " + i);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> transform.writeNchw(image, new float[plane * 3], 1));
    }

    @Test
    void greyIsPillowsFixedPointLuma() {
        byte[] rgb = {(byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, 100, (byte) 150, (byte) 200};
        float[] out = new float[4];
        new ImageTransform(1, 1, 4, true, new float[] {0}, new float[] {1})
                .writeNchw(new DecodedImage(4, 1, rgb), out, 0);
        assertArrayEquals(new float[] {76 / 255f, 150 / 255f, 29 / 255f, 141 / 255f}, out);
    }

    @Test
    void normalisationIsTorchsFloat32Arithmetic() {
        DecodedImage image = new DecodedImage(1, 1, new byte[] {0, (byte) 128, (byte) 255});
        ImageTransform transform = ImageTransform.forModel("alexnet", 3, 224, 224);
        float[] out = new float[transform.length()];
        transform.writeNchw(image, out, 0);
        assertEquals((0f - 0.485f) / 0.229f, out[0]);
        assertEquals((128f / 255f - 0.456f) / 0.224f, out[224 * 224]);
        assertEquals((1f - 0.406f) / 0.225f, out[2 * 224 * 224 + 224 * 224 - 1]);
    }

    @Test
    void modelDefaultsFollowTorchvisionConventions() {
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        float[] half = {0.5f, 0.5f, 0.5f};
        assertEquals(
                new ImageTransform(256, 224, 224, false, mean, std), ImageTransform.forModel("resnet50", 3, 224, 224));
        assertEquals(
                new ImageTransform(342, 299, 299, false, mean, std),
                ImageTransform.forModel("inception_v3", 3, 299, 299));
        assertEquals(new ImageTransform(74, 65, 65, false, mean, std), ImageTransform.forModel(null, 3, 65, 65));
        assertEquals(new ImageTransform(343, 224, 300, false, mean, std), ImageTransform.forModel(null, 3, 224, 300));
        assertEquals(new ImageTransform(32, 32, 32, false, half, half), ImageTransform.forModel("lenet5", 3, 32, 32));
        assertEquals(new ImageTransform(64, 64, 64, false, half, half), ImageTransform.forModel(null, 3, 64, 64));
        assertEquals(new ImageTransform(96, 96, 96, false, half, half), ImageTransform.forModel("LeNet5", 3, 96, 96));
        assertEquals(new ImageTransform(32, 32, 32, false, mean, std), ImageTransform.forModel("resnet20", 3, 32, 32));
        assertEquals(
                new ImageTransform(32, 32, 32, false, half, half), ImageTransform.forModel("cifar_net", 3, 32, 32));
        ImageTransform grey = ImageTransform.forModel(null, 1, 32, 32);
        assertEquals(new ImageTransform(32, 32, 32, true, new float[] {0.5f}, new float[] {0.5f}), grey);
        assertEquals(1, grey.channels());
        assertEquals(32 * 32, grey.length());
    }

    @Test
    void invalidTransformsAreRefused() {
        assertThrows(VecnnException.class, () -> ImageTransform.forModel("resnet18", 2, 224, 224));
        assertThrows(VecnnException.class, () -> new ImageTransform(0, 224, 224, false, ZERO, ONE));
        assertThrows(VecnnException.class, () -> new ImageTransform(256, 224, 224, true, ZERO, ONE));
        assertThrows(VecnnException.class, () -> new ImageTransform(256, 224, 224, false, ZERO, ZERO));
    }

    @Test
    void meanAndStdAreCopied() {
        float[] mean = {0.1f, 0.2f, 0.3f};
        ImageTransform transform = new ImageTransform(8, 8, 8, false, mean, ONE);
        mean[0] = 9;
        transform.mean()[1] = 9;
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, transform.mean());
    }

    private static DecodedImage coordinates(int width, int height) {
        byte[] rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                rgb[(y * width + x) * 3] = (byte) (x + 1);
                rgb[(y * width + x) * 3 + 1] = (byte) (y + 1);
            }
        }
        return new DecodedImage(width, height, rgb);
    }

    private static DecodedImage random(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        new SplittableRandom(seed).nextBytes(rgb);
        return new DecodedImage(width, height, rgb);
    }
}
