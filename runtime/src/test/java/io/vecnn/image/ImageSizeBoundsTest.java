package io.vecnn.image;

import io.vecnn.VecnnException;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A file far too small for the dimensions its header claims is refused before anything of that size is
 * allocated, while files compressed as far as their format allows still decode.
 */
class ImageSizeBoundsTest {

    @Test
    void aFewBytesClaiming8000x8000AreRefusedBeforeDecoding() throws IOException {
        byte[] png = png(8000, 8000, 2, new byte[0]);
        assertEquals(
                "truncated PNG image: 8000x8000 pixels take at least " + 8000L * 8000 * 3 / 1032
                        + " bytes, the file has " + png.length,
                message(png));
        byte[] jpeg = encode(new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
        int sof = sofOffset(jpeg);
        ByteBuffer.wrap(jpeg).putShort(sof + 5, (short) 8000).putShort(sof + 7, (short) 8000);
        assertEquals(
                "truncated JPEG image: 8000x8000 pixels take at least " + 1000 * 1000 / 8 + " bytes, the file has "
                        + jpeg.length,
                message(jpeg));
    }

    @Test
    void filesAsSmallAsTheirFormatAllowsStillDecode() throws IOException {
        int side = 2000;
        byte[] rows = new byte[side * (side + 1)];
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(rows);
        deflater.finish();
        byte[] idat = new byte[rows.length];
        byte[] png = png(side, side, 0, java.util.Arrays.copyOf(idat, deflater.deflate(idat)));
        assertEquals(side, ImageDecoder.decode(png).width());
        byte[] jpeg = encode(new BufferedImage(side, side, BufferedImage.TYPE_BYTE_GRAY), "jpeg");
        assertEquals(side, ImageDecoder.decode(jpeg).height());
    }

    /** An 8-bit PNG of colour type 0 (grey) or 2 (RGB) with {@code idat} as its only image data. */
    private static byte[] png(int width, int height, int colourType, byte[] idat) {
        ByteBuffer out = ByteBuffer.allocate(8 + 25 + 12 + idat.length + 12);
        out.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        PngChunks.chunk(
                out,
                "IHDR",
                ByteBuffer.allocate(13)
                        .putInt(width)
                        .putInt(height)
                        .put(new byte[] {8, (byte) colourType, 0, 0, 0})
                        .array());
        PngChunks.chunk(out, "IDAT", idat);
        PngChunks.chunk(out, "IEND", new byte[0]);
        return out.array();
    }

    private static int sofOffset(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if (jpeg[i] == (byte) 0xFF && jpeg[i + 1] == (byte) 0xC0) {
                return i;
            }
        }
        throw new AssertionError("no baseline SOF marker");
    }

    private static String message(byte[] bytes) {
        return assertThrows(VecnnException.class, () -> ImageDecoder.decode(bytes))
                .getMessage();
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }
}
