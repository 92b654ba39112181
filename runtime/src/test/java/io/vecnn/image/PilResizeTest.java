package io.vecnn.image;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PilResizeTest {

    @Test
    void tinyImagesGiveWhatPillowGives() {
        // Image.fromarray(a, 'L').resize((w, h), Image.BILINEAR) with Pillow 9.4.
        byte[] ramp = bytes(0, 50, 100, 150, 200, 250);
        assertArrayEquals(bytes(19, 89, 161, 231), PilResize.resize(ramp, 6, 1, 1, 4, 1, Interpolation.BILINEAR));
        assertArrayEquals(
                bytes(0, 25, 58, 92, 125, 158, 192, 225, 250),
                PilResize.resize(ramp, 6, 1, 1, 9, 1, Interpolation.BILINEAR));
        assertArrayEquals(bytes(125), PilResize.resize(ramp, 6, 1, 1, 1, 1, Interpolation.BILINEAR));
        byte[] checker = bytes(0, 255, 0, 255, 0, 255);
        assertArrayEquals(
                bytes(0, 102, 255, 102, 0, 128, 128, 128, 128, 128, 255, 153, 0, 153, 255),
                PilResize.resize(checker, 3, 2, 1, 5, 3, Interpolation.BILINEAR));
        byte[] steps = new byte[35];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = (byte) (i * 7);
        }
        assertArrayEquals(
                bytes(55, 70, 85, 153, 168, 183), PilResize.resize(steps, 7, 5, 1, 3, 2, Interpolation.BILINEAR));
    }

    @ParameterizedTest(name = "{4} {0}x{1} to {2}x{3}")
    @CsvSource({
        "64,48,32,24,BILINEAR",
        "257,193,99,41,BILINEAR",
        "31,45,224,301,BILINEAR",
        "100,100,100,37,BILINEAR",
        "50,10,75,10,BILINEAR",
        "17,23,5,4,BILINEAR",
        "64,48,32,24,BICUBIC",
        "257,193,99,41,BICUBIC",
        "31,45,224,301,BICUBIC",
        "100,100,100,37,BICUBIC",
        "50,10,75,10,BICUBIC",
        "17,23,5,4,BICUBIC"
    })
    void withinOneLevelOfTheSameFilterInDoubles(int w, int h, int nw, int nh, Interpolation filter) {
        byte[] rgb = random(w * h * 3, w + h);
        byte[] fixed = PilResize.resize(rgb, w, h, 3, nw, nh, filter);
        byte[] reference = floatingPointTwin(rgb, w, h, 3, nw, nh, filter);
        int worst = 0;
        for (int i = 0; i < fixed.length; i++) {
            worst = Math.max(worst, Math.abs((fixed[i] & 0xFF) - (reference[i] & 0xFF)));
        }
        assertTrue(worst <= 1, "fixed point is " + worst + " levels from the double-precision filter");
    }

    @Test
    void channelsAreResizedIndependentlyAndFlatImagesStayFlat() {
        int w = 41;
        int h = 29;
        byte[] rgb = random(w * h * 3, 3);
        byte[] resized = PilResize.resize(rgb, w, h, 3, 13, 57, Interpolation.BILINEAR);
        for (int c = 0; c < 3; c++) {
            byte[] plane = new byte[w * h];
            for (int i = 0; i < plane.length; i++) {
                plane[i] = rgb[i * 3 + c];
            }
            byte[] alone = PilResize.resize(plane, w, h, 1, 13, 57, Interpolation.BILINEAR);
            for (int i = 0; i < alone.length; i++) {
                assertEquals(alone[i], resized[i * 3 + c], "channel " + c + " sample " + i);
            }
        }
        byte[] flat = new byte[w * h];
        Arrays.fill(flat, (byte) 200);
        for (byte b : PilResize.resize(flat, w, h, 1, 300, 7, Interpolation.BILINEAR)) {
            assertEquals(200, b & 0xFF);
        }
    }

    @Test
    void sameSizeIsACopyAndDecodedImagesKeepTheirSize() {
        byte[] rgb = random(5 * 4 * 3, 9);
        byte[] same = PilResize.resize(rgb, 5, 4, 3, 5, 4, Interpolation.BILINEAR);
        assertArrayEquals(rgb, same);
        assertNotSame(rgb, same);
        DecodedImage image = PilResize.resize(new DecodedImage(5, 4, rgb), 8, 3, Interpolation.BILINEAR);
        assertEquals(8, image.width());
        assertEquals(3, image.height());
        assertArrayEquals(PilResize.resize(rgb, 5, 4, 3, 8, 3, Interpolation.BILINEAR), image.rgb());
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(VecnnException.class, () -> PilResize.resize(new byte[11], 2, 2, 3, 4, 4, Interpolation.BILINEAR));
        assertThrows(VecnnException.class, () -> PilResize.resize(new byte[12], 2, 2, 3, 0, 4, Interpolation.BILINEAR));
    }

    /** The same filter in doubles, over the whole input, rounded to 8 bits after each pass like Pillow. */
    private static byte[] floatingPointTwin(
            byte[] in, int w, int h, int channels, int nw, int nh, Interpolation filter) {
        double[] rows = new double[nw * h * channels];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < nw; x++) {
                for (int c = 0; c < channels; c++) {
                    double[] taps = taps(w, nw, x, filter);
                    double sum = 0;
                    for (int i = 0; i < w; i++) {
                        sum += taps[i] * (in[(y * w + i) * channels + c] & 0xFF);
                    }
                    rows[(y * nw + x) * channels + c] = nw == w ? in[(y * w + x) * channels + c] & 0xFF : round8(sum);
                }
            }
        }
        byte[] out = new byte[nw * nh * channels];
        for (int y = 0; y < nh; y++) {
            double[] taps = taps(h, nh, y, filter);
            for (int j = 0; j < nw * channels; j++) {
                double sum = 0;
                for (int i = 0; i < h; i++) {
                    sum += taps[i] * rows[i * nw * channels + j];
                }
                out[y * nw * channels + j] = (byte) (nh == h ? rows[y * nw * channels + j] : round8(sum));
            }
        }
        return out;
    }

    private static double[] taps(int in, int out, int o, Interpolation filter) {
        double scale = (double) in / out;
        double width = Math.max(scale, 1);
        double center = (o + 0.5) * scale;
        double[] taps = new double[in];
        double total = 0;
        for (int i = 0; i < in; i++) {
            double d = Math.abs((i + 0.5 - center) / width);
            taps[i] = filter == Interpolation.BILINEAR ? Math.max(0, 1 - d) : keysCubic(d);
            total += taps[i];
        }
        for (int i = 0; i < in; i++) {
            taps[i] /= total;
        }
        return taps;
    }

    /** Keys' cubic convolution kernel with a = -0.5, written out piece by piece. */
    private static double keysCubic(double d) {
        if (d < 1) {
            return 1.5 * d * d * d - 2.5 * d * d + 1;
        }
        return d < 2 ? -0.5 * d * d * d + 2.5 * d * d - 4 * d + 2 : 0;
    }

    private static double round8(double v) {
        return Math.max(0, Math.min(255, Math.floor(v + 0.5)));
    }

    private static byte[] random(int n, long seed) {
        byte[] bytes = new byte[n];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
