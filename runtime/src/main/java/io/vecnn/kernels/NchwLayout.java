package io.vecnn.kernels;

import io.vecnn.Shape;

/**
 * Re-lays batches between PyTorch's NCHW order, in which requests arrive and results leave, and the NHWC
 * order every kernel works in. The loops run over the destination in order so the writes stream.
 */
public final class NchwLayout {
    private NchwLayout() {}

    /** Copies {@code batch} images of {@code shape} from NCHW {@code src} into NHWC {@code dst}. */
    public static void toNhwc(float[] src, float[] dst, int batch, Shape shape) {
        transposeImages(src, dst, batch, shape.channels(), shape.height() * shape.width());
    }

    /** Copies {@code batch} images of {@code shape} from NHWC {@code src} into NCHW {@code dst}. */
    public static void toNchw(float[] src, float[] dst, int batch, Shape shape) {
        transposeImages(src, dst, batch, shape.height() * shape.width(), shape.channels());
    }

    /**
     * Each image a {@code rows x cols} matrix in {@code src}, written transposed to {@code dst}: NCHW to NHWC is
     * channels x pixels to pixels x channels, and back. With one row or one column the order does not change.
     */
    private static void transposeImages(float[] src, float[] dst, int batch, int rows, int cols) {
        if (rows == 1 || cols == 1) {
            System.arraycopy(src, 0, dst, 0, batch * rows * cols);
            return;
        }
        for (int b = 0; b < batch; b++) {
            int image = b * rows * cols;
            for (int col = 0; col < cols; col++) {
                int to = image + col * rows;
                for (int row = 0; row < rows; row++) {
                    dst[to + row] = src[image + row * cols + col];
                }
            }
        }
    }
}
