package io.vecnn.converter.fold;

import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.graph.WeightTensor;

/**
 * Re-lays PyTorch weights into the runtime's layouts, once, at conversion; and back, for whatever needs
 * PyTorch's layout again (the ONNX export, the libtorch peer of the bench).
 */
public final class WeightLayout {
    private WeightLayout() {}

    /** PyTorch's {@code [out][in][kh][kw]} to {@code [out][kh][kw][in]}, so the NHWC channel axis is contiguous in both. */
    public static WeightTensor oihwToOhwi(TorchTensor w) {
        int o = w.dim(0);
        int i = w.dim(1);
        int kh = w.dim(2);
        int kw = w.dim(3);
        return new WeightTensor(new int[] {o, kh, kw, i}, channelsLast(w.data(), o, i, kh, kw));
    }

    /** {@code [out][kh][kw][in]} back to PyTorch's (and ONNX's) {@code [out][in][kh][kw]}: the inverse of {@link #oihwToOhwi}. */
    public static WeightTensor ohwiToOihw(WeightTensor w) {
        int o = w.shape()[0];
        int kh = w.shape()[1];
        int kw = w.shape()[2];
        int i = w.shape()[3];
        return new WeightTensor(new int[] {o, i, kh, kw}, channelsFirst(w.data(), o, i, kh, kw));
    }

    /** Each of {@code rows} blocks from {@code [c][h][w]} order to {@code [h][w][c]}. */
    static float[] channelsLast(float[] src, int rows, int c, int h, int w) {
        return permute(src, rows, c, h, w, true);
    }

    /** Each of {@code rows} blocks from {@code [h][w][c]} order to {@code [c][h][w]}: the inverse of {@link #channelsLast}. */
    static float[] channelsFirst(float[] src, int rows, int c, int h, int w) {
        return permute(src, rows, c, h, w, false);
    }

    private static float[] permute(float[] src, int rows, int c, int h, int w, boolean toChannelsLast) {
        int block = c * h * w;
        float[] dst = new float[src.length];
        for (int r = 0; r < rows; r++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int first = r * block + (ch * h + y) * w + x;
                        int last = r * block + (y * w + x) * c + ch;
                        if (toChannelsLast) {
                            dst[last] = src[first];
                        } else {
                            dst[first] = src[last];
                        }
                    }
                }
            }
        }
        return dst;
    }
}
