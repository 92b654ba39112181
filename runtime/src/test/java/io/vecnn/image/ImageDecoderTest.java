package io.vecnn.image;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {

    @Test
    void rgbPngRoundTripsExactly() throws IOException {
        BufferedImage image = new BufferedImage(7, 5, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom random = new SplittableRandom(1);
        int[][] colours = new int[35][];
        for (int i = 0; i < 35; i++) {
            colours[i] = new int[] {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
            image.getRaster().setPixel(i % 7, i / 7, colours[i]);
        }
        DecodedImage decoded = ImageDecoder.decode(encode(image, "png"));
        assertEquals(7, decoded.width());
        assertEquals(5, decoded.height());
        for (int i = 0; i < 35; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(colours[i][c], decoded.sample(i % 7, i / 7, c), "pixel " + i + " channel " + c);
            }
        }
    }

    @Test
    void greyIsReplicatedWithoutAGammaCurve() throws IOException {
        BufferedImage grey = new BufferedImage(256, 1, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 256; x++) {
            grey.getRaster().setSample(x, 0, 0, x);
        }
        DecodedImage decoded = ImageDecoder.decode(new ByteArrayInputStream(encode(grey, "png")));
        for (int x = 0; x < 256; x++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(x, decoded.sample(x, 0, c), "grey level " + x);
            }
        }
    }

    @Test
    void alphaIsDroppedNotComposited() throws IOException {
        BufferedImage rgba = new BufferedImage(3, 1, BufferedImage.TYPE_4BYTE_ABGR);
        WritableRaster raster = rgba.getRaster();
        raster.setPixel(0, 0, new int[] {10, 20, 30, 0});
        raster.setPixel(1, 0, new int[] {200, 100, 50, 128});
        raster.setPixel(2, 0, new int[] {1, 2, 3, 255});
        assertArrayEquals(
                new byte[] {10, 20, 30, (byte) 200, 100, 50, 1, 2, 3},
                ImageDecoder.decode(encode(rgba, "png")).rgb());
    }

    @Test
    void palettesAreExpanded() throws IOException {
        byte[] r = {0, (byte) 255, 17, 90};
        byte[] g = {0, 0, (byte) 220, 91};
        byte[] b = {0, 0, 33, 92};
        byte[] a = {(byte) 255, (byte) 255, 0, (byte) 255};
        BufferedImage indexed =
                new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 4, r, g, b, a));
        for (int x = 0; x < 4; x++) {
            indexed.getRaster().setSample(x, 0, 0, 3 - x);
        }
        assertArrayEquals(
                new byte[] {90, 91, 92, 17, (byte) 220, 33, (byte) 255, 0, 0, 0, 0, 0},
                ImageDecoder.decode(encode(indexed, "png")).rgb());
    }

    @Test
    void sixteenBitGreyIsClippedAsPillowDoes() throws IOException {
        // Pillow opens it as 32-bit integers (mode I), which convert('RGB') clips to 0..255.
        BufferedImage grey16 = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
        grey16.getRaster().setPixels(0, 0, 3, 1, new int[] {7, 255, 40000});
        assertArrayEquals(
                new byte[] {7, 7, 7, (byte) 255, (byte) 255, (byte) 255, (byte) 255, (byte) 255, (byte) 255},
                ImageDecoder.decode(encode(grey16, "png")).rgb());
    }

    @Test
    void otherFormatsAreNamed() throws IOException {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_3BYTE_BGR);
        assertEquals("not a JPEG or PNG image (starts with GIF89a)", message(encode(image, "gif")));
        assertTrue(
                message(encode(image, "bmp")).startsWith("not a JPEG or PNG image (starts with BM"),
                message(encode(image, "bmp")));
        assertEquals(
                "not a JPEG or PNG image (starts with bytes 00 01 fe 7f)",
                message(new byte[] {0, 1, (byte) 0xFE, 0x7F}));
        assertEquals("not a JPEG or PNG image (empty: 0 bytes)", message(new byte[0]));
    }

    @Test
    void truncatedFilesAreRefused() throws IOException {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom random = new SplittableRandom(2);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.getRaster().setPixel(x, y, new int[] {random.nextInt(256), x * 4, y * 5});
            }
        }
        for (String format : new String[] {"png", "jpeg"}) {
            byte[] whole = encode(image, format);
            ImageDecoder.decode(whole);
            for (int length : new int[] {whole.length / 2, 40, 10, 3}) {
                String m = message(Arrays.copyOf(whole, length));
                assertTrue(m.contains(format.toUpperCase()), format + " cut to " + length + ": " + m);
            }
        }
    }

    @Test
    void hugeImagesAreRefusedBeforeDecoding() {
        byte[] header = ByteBuffer.allocate(13)
                .putInt(10_000)
                .putInt(8_000)
                .put(new byte[] {8, 2, 0, 0, 0})
                .array();
        ByteBuffer png = ByteBuffer.allocate(8 + 25 + 12);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        PngChunks.chunk(png, "IHDR", header);
        PngChunks.chunk(png, "IEND", new byte[0]);
        assertEquals("PNG image of 10000x8000 is larger than the 64000000 pixels VecNN decodes", message(png.array()));
    }

    private static String message(byte[] bytes) {
        return assertThrows(VecnnException.class, () -> ImageDecoder.decode(bytes))
                .getMessage();
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
        return out.toByteArray();
    }
}
