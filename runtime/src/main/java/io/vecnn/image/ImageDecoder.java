package io.vecnn.image;

import io.vecnn.VecnnException;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG and PNG files with {@code javax.imageio} into the 8-bit RGB pixels Pillow's
 * {@code Image.open(f).convert("RGB")} gives: grey replicated to three channels, alpha dropped (not composited
 * onto a background), palettes expanded, 16-bit colour samples cut to their high byte. Embedded colour profiles
 * and EXIF orientation are ignored, as Pillow ignores them.
 *
 * <p>Anything else (another format, a truncated or corrupt file, a CMYK JPEG, an image over
 * {@value #MAX_PIXELS} pixels) is a {@link VecnnException} naming what was found.
 */
public final class ImageDecoder {
    /** The largest image decoded, in pixels: 64 megapixels, a 192 MB RGB buffer. */
    public static final long MAX_PIXELS = 64_000_000L;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] JPEG_SIGNATURE = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};

    private ImageDecoder() {}

    /**
     * The format and size a JPEG or PNG file declares, read from its header without decoding the pixels: what a
     * server checks (and reserves memory for) before it decodes. A file that is not JPEG or PNG, or whose header
     * is cut short, is refused as {@link #decode} refuses it.
     */
    public static ImageHeader header(byte[] bytes) {
        String format = format(bytes);
        ImageReader reader = reader(format);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            return new ImageHeader(format, reader.getWidth(0), reader.getHeight(0), rasterBytesPerPixel(reader));
        } catch (IOException | RuntimeException e) {
            throw new VecnnException(
                    "corrupt or unsupported " + format + " image: cannot read its header (" + describe(e) + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Bytes a pixel takes in the image the JDK's decoder returns: its raw type's samples, rounded up to whole
     * bytes each (16-bit samples stay 16-bit until {@link #toRgb}); 4 when the decoder names no raw type.
     */
    private static int rasterBytesPerPixel(ImageReader reader) throws IOException {
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw == null) {
            return 4;
        }
        int bytes = 0;
        for (int bits : raw.getSampleModel().getSampleSize()) {
            bytes += (bits + 7) / 8;
        }
        return Math.max(1, bytes);
    }

    private static ImageReader reader(String format) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) {
            throw new VecnnException("this Java runtime has no " + format + " decoder in javax.imageio");
        }
        return readers.next();
    }

    /** Decodes a whole JPEG or PNG file held in memory. */
    public static DecodedImage decode(byte[] bytes) {
        String format = format(bytes);
        ImageReader reader = reader(format);
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            long width = reader.getWidth(0);
            long height = reader.getHeight(0);
            if (width * height > MAX_PIXELS) {
                throw new VecnnException(format + " image of " + width + "x" + height + " is larger than the "
                        + MAX_PIXELS + " pixels VecNN decodes");
            }
            long least = leastBytes(format, reader, width, height);
            if (bytes.length < least) {
                throw new VecnnException("truncated " + format + " image: " + width + "x" + height
                        + " pixels take at least " + least + " bytes, the file has " + bytes.length);
            }
            BufferedImage image = reader.read(0);
            // The JPEG decoder pads a truncated scan with grey and only warns; Pillow refuses such a file.
            for (String warning : warnings) {
                if (warning.contains("Premature end") || warning.contains("Truncated")) {
                    throw new VecnnException("truncated " + format + " image (" + warning + ")");
                }
            }
            return new DecodedImage(image.getWidth(), image.getHeight(), toRgb(image, format));
        } catch (IIOException e) {
            throw new VecnnException("corrupt or unsupported " + format + " image: " + describe(e), e);
        } catch (IOException e) {
            throw new VecnnException("cannot decode the " + format + " image: " + describe(e), e);
        } catch (VecnnException e) {
            throw e;
        } catch (RuntimeException e) {
            // javax.imageio's plugins throw whatever unchecked exception their code trips over on a corrupt file
            // (index out of bounds, negative array size, CMMException from an embedded colour profile...).
            throw new VecnnException(
                    "cannot decode the " + format + " image: " + e.getClass().getSimpleName()
                            + " in the JDK's decoder: " + describe(e),
                    e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * The fewest bytes a complete file of these dimensions can have, so a few hundred bytes claiming 8000x8000
     * are refused before the decoder allocates and fills (with grey) a 192 MB image, and a progressive JPEG before
     * it spends seconds on it. A JPEG spends a Huffman code of at least one bit on every 8x8 block of its
     * full-resolution component (the JDK's libjpeg has no arithmetic coding, which could spend less); a PNG's
     * deflate stream compresses its samples at most 1032 to 1 (a 258-byte match in two one-bit codes).
     */
    private static long leastBytes(String format, ImageReader reader, long width, long height) throws IOException {
        if (format.equals("JPEG")) {
            return (width + 7) / 8 * ((height + 7) / 8) / 8;
        }
        long bitsPerPixel = 0;
        for (int bits : reader.getRawImageType(0).getSampleModel().getSampleSize()) {
            bitsPerPixel += bits;
        }
        return width * height * bitsPerPixel / 8 / 1032;
    }

    /** Reads {@code in} to its end (without closing it) and decodes the JPEG or PNG file it held. */
    public static DecodedImage decode(InputStream in) {
        try {
            return decode(in.readAllBytes());
        } catch (IOException e) {
            throw new VecnnException("cannot read the image: " + e.getMessage(), e);
        }
    }

    /**
     * The media type of a JPEG or PNG file by its signature ({@code image/jpeg}, {@code image/png}), for a client
     * that labels what it sends; anything else is refused naming what it starts with.
     */
    public static String mediaType(byte[] bytes) {
        return "image/" + format(bytes).toLowerCase(Locale.ROOT);
    }

    private static String format(byte[] bytes) {
        if (startsWith(bytes, PNG_SIGNATURE)) {
            return "PNG";
        }
        if (startsWith(bytes, JPEG_SIGNATURE)) {
            return "JPEG";
        }
        if (bytes.length == 0) {
            throw new VecnnException("not a JPEG or PNG image (empty: 0 bytes)");
        }
        throw new VecnnException("not a JPEG or PNG image (starts with " + head(bytes) + ")");
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    // The first bytes as text when they read as a signature (GIF89a, BM, RIFF), in hex otherwise.
    private static String head(byte[] bytes) {
        int n = Math.min(bytes.length, 8);
        int printable = 0;
        while (printable < n && bytes[printable] >= 0x20 && bytes[printable] < 0x7F) {
            printable++;
        }
        if (printable >= 2) {
            return new String(bytes, 0, printable, StandardCharsets.US_ASCII);
        }
        StringBuilder hex = new StringBuilder("bytes");
        for (int i = 0; i < n; i++) {
            hex.append(String.format(" %02x", bytes[i] & 0xFF));
        }
        return hex.toString();
    }

    private static String describe(Exception e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            message.append(" (").append(cause.getClass().getSimpleName());
            if (cause.getMessage() != null) {
                message.append(": ").append(cause.getMessage());
            }
            message.append(')');
        }
        return message.toString();
    }

    // Raster samples, never getRGB: getRGB converts through the colour model, which for grey images applies
    // a gamma curve Pillow does not.
    private static byte[] toRgb(BufferedImage image, String format) {
        int width = image.getWidth();
        int height = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel model = image.getColorModel();
        byte[] rgb = new byte[width * height * 3];
        int bands = raster.getNumBands();
        int[] row = new int[width * bands];
        if (model instanceof IndexColorModel palette) {
            for (int y = 0, o = 0; y < height; y++) {
                raster.getPixels(0, y, width, 1, row);
                for (int x = 0; x < width; x++) {
                    int index = row[x];
                    rgb[o++] = (byte) palette.getRed(index);
                    rgb[o++] = (byte) palette.getGreen(index);
                    rgb[o++] = (byte) palette.getBlue(index);
                }
            }
            return rgb;
        }
        int colours = model.getNumColorComponents();
        int bits = model.getComponentSize(0);
        if (colours == 4) {
            throw new VecnnException(format + " image in CMYK (4 colour channels) is not supported: convert it to RGB");
        }
        if ((colours != 1 && colours != 3) || (bits != 8 && bits != 16)) {
            throw new VecnnException(format + " image with " + colours + " colour channels of " + bits
                    + " bits is not supported (only grey and RGB, 8 or 16 bits)");
        }
        // Pillow opens 16-bit grey without alpha as 32-bit integers (mode I), and converting those to RGB
        // clips them to 255; every other 16-bit layout it opens by keeping each sample's high byte.
        boolean clip = bits == 16 && colours == 1 && !model.hasAlpha();
        int shift = bits == 16 && !clip ? 8 : 0;
        for (int y = 0, o = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int x = 0; x < width; x++) {
                int p = x * bands;
                for (int c = 0; c < 3; c++) {
                    int v = row[colours == 1 ? p : p + c] >> shift;
                    rgb[o++] = (byte) (clip ? Math.min(v, 255) : v);
                }
            }
        }
        return rgb;
    }
}
