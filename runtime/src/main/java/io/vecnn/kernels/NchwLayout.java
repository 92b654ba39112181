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
        int c = shape.channels();
        int hw = shape.height() * shape.width();
        if (c == 1) {
            System.arraycopy(src, 0, dst, 0, batch * hw);
            return;
        }
        for (int b = 0; b < batch; b++) {
            int image = b * c * hw;
            for (int p = 0; p < hw; p++) {
                int to = image + p * c;
                for (int ch = 0; ch < c; ch++) {
                    dst[to + ch] = src[image + ch * hw + p];
                }
            }
        }
    }

    /** Copies {@code batch} images of {@code shape} from NHWC {@code src} into NCHW {@code dst}. */
    public static void toNchw(float[] src, float[] dst, int batch, Shape shape) {
        int c = shape.channels();
        int hw = shape.height() * shape.width();
        if (c == 1 || hw == 1) {
            System.arraycopy(src, 0, dst, 0, batch * c * hw);
            return;
        }
        for (int b = 0; b < batch; b++) {
            int image = b * c * hw;
            for (int ch = 0; ch < c; ch++) {
                int to = image + ch * hw;
                for (int p = 0; p < hw; p++) {
                    dst[to + p] = src[image + p * c + ch];
                }
            }
        }
    }
}
