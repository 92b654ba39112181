package io.vecnn.image;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Resizing only a region gives exactly the pixels the whole resize has there, and the transforms built on it
 * give what a full resize and then the crop give, also for slivers whose full resize would be huge.
 */
class ResizeRegionTest {

    @ParameterizedTest(name = "{0}x{1} to {2}x{3}, region {6}x{7} at ({4}, {5})")
    @CsvSource({
        "64,48,32,24,3,5,20,11,BILINEAR",
        "31,45,224,301,100,7,50,294,BILINEAR",
        "100,100,100,37,10,0,80,37,BILINEAR",
        "50,10,75,10,0,2,75,8,BILINEAR",
        "17,23,5,4,4,3,1,1,BILINEAR",
        "40,30,40,30,5,6,7,8,BILINEAR",
        "300,7,13,57,0,0,13,57,BILINEAR",
        "31,45,224,301,100,7,50,294,BICUBIC",
        "17,23,5,4,4,3,1,1,BICUBIC",
        "300,7,13,57,2,1,9,50,BICUBIC"
    })
    void aRegionIsThePixelsTheWholeResizeHasThere(
            int w, int h, int nw, int nh, int left, int top, int rw, int rh, Interpolation filter) {
        byte[] rgb = random(w * h * 3, w * 31L + h);
        byte[] whole = PilResize.resize(rgb, w, h, 3, nw, nh, filter);
        byte[] expected = new byte[rw * rh * 3];
        for (int y = 0; y < rh; y++) {
            System.arraycopy(whole, ((top + y) * nw + left) * 3, expected, y * rw * 3, rw * 3);
        }
        DecodedImage region = PilResize.resizeRegion(new DecodedImage(w, h, rgb), nw, nh, left, top, rw, rh, filter);
        assertArrayEquals(expected, region.rgb());
    }

    @ParameterizedTest(name = "{0}x{1} for {2}, {3} channels, {4}x{4}")
    @CsvSource({
        "1,6000,lenet5,3,32",
        "6000,2,lenet5,1,28",
        "3,2000,resnet18,3,224",
        "500,333,resnet18,3,224",
        "20,10,lenet5,3,32",
        "299,301,inception_v3,3,299",
        "500,333,efficientnet_b0,3,224",
        "333,500,efficientnet_b3,3,300"
    })
    void transformsMatchAFullResizeThenTheCrop(int w, int h, String architecture, int channels, int side) {
        ImageTransform transform = ImageTransform.forModel(architecture, channels, side, side);
        DecodedImage image = new DecodedImage(w, h, random(w * h * 3, w + 7L * h));
        int shorter = Math.min(w, h);
        int longer = (int) ((double) ((long) transform.resize() * Math.max(w, h)) / shorter);
        DecodedImage resized = PilResize.resize(
                image,
                w <= h ? transform.resize() : longer,
                w <= h ? longer : transform.resize(),
                transform.interpolation());
        float[] expected = new float[transform.length()];
        transform.writeNchw(resized, expected, 0);
        float[] actual = new float[transform.length()];
        transform.writeNchw(image, actual, 0);
        assertArrayEquals(expected, actual);
    }

    @Test
    void regionsOutsideTheResizedImageAreRefused() {
        DecodedImage image = new DecodedImage(4, 4, new byte[48]);
        assertThrows(
                VecnnException.class, () -> PilResize.resizeRegion(image, 8, 8, 4, 0, 5, 8, Interpolation.BILINEAR));
        assertThrows(
                VecnnException.class, () -> PilResize.resizeRegion(image, 8, 8, -1, 0, 2, 2, Interpolation.BILINEAR));
        assertThrows(
                VecnnException.class, () -> PilResize.resizeRegion(image, 8, 8, 0, 0, 0, 2, Interpolation.BILINEAR));
    }

    private static byte[] random(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }
}
