package io.vecnn.image;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An image's header gives its size without decoding it, and its decode estimate covers what decoding allocates
 * (measured with the thread's allocation counter: everything allocated, garbage included, bounds the peak).
 */
class ImageHeaderTest {
    private static byte[] encode(int width, int height, int type, String format) throws IOException {
        BufferedImage image = new BufferedImage(width, height, type);
        Random random = new Random(width);
        for (int y = 0; y < height; y += 7) {
            for (int x = 0; x < width; x += 5) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
        return out.toByteArray();
    }

    private static long allocated() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return bean.getCurrentThreadAllocatedBytes();
    }

    @Test
    void theHeaderGivesTheSizeAndTheEstimateCoversWhatDecodingAllocates() throws IOException {
        Object[][] cases = {
            {BufferedImage.TYPE_INT_RGB, "jpeg", "JPEG", 3},
            {BufferedImage.TYPE_INT_RGB, "png", "PNG", 3},
            {BufferedImage.TYPE_4BYTE_ABGR, "png", "PNG", 4},
            {BufferedImage.TYPE_BYTE_GRAY, "png", "PNG", 1},
            {BufferedImage.TYPE_USHORT_GRAY, "png", "PNG", 2},
        };
        List<String> failures = new ArrayList<>();
        for (Object[] c : cases) {
            byte[] file = encode(1201, 803, (int) c[0], (String) c[1]);
            ImageHeader header = ImageDecoder.header(file);
            assertEquals(new ImageHeader((String) c[2], 1201, 803, (int) c[3]), header, c[1] + " " + c[0]);
            ImageDecoder.decode(file); // the decoder's classes loaded and initialised before measuring
            long before = allocated();
            ImageDecoder.decode(file);
            long used = allocated() - before;
            if (used > header.decodeBytes()) {
                failures.add(c[2] + " of type " + c[0] + " allocated " + used + " bytes to decode, estimated "
                        + header.decodeBytes());
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void notAnImageIsRefusedAsDecodeRefusesIt() {
        VecnnException e = assertThrows(VecnnException.class, () -> ImageDecoder.header("GIF89a....".getBytes()));
        assertTrue(e.getMessage().contains("not a JPEG or PNG image (starts with GIF89a"), e.getMessage());
    }
}
