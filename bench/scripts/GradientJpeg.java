import java.awt.image.BufferedImage;
import javax.imageio.ImageIO;
import java.io.File;
/**
 * Writes a smooth RGB gradient as a JPEG of the given size: a small file (about 1 MB at 8000x8000) that decodes
 * to a large image, for testing a server's image admission. {@code java GradientJpeg.java 8000 8000 out.jpg}
 */
public class GradientJpeg {
    public static void main(String[] a) throws Exception {
        int w = Integer.parseInt(a[0]), h = Integer.parseInt(a[1]);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) row[x] = ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | 128;
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        ImageIO.write(img, "jpeg", new File(a[2]));
    }
}
