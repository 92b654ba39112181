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
        float[] src = w.data();
        float[] dst = new float[src.length];
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < i; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        dst[((a * kh + y) * kw + x) * i + b] = src[((a * i + b) * kh + y) * kw + x];
                    }
                }
            }
        }
        return new WeightTensor(new int[] {o, kh, kw, i}, dst);
    }

    /** {@code [out][kh][kw][in]} back to PyTorch's (and ONNX's) {@code [out][in][kh][kw]}: the inverse of {@link #oihwToOhwi}. */
    public static WeightTensor ohwiToOihw(WeightTensor w) {
        int o = w.shape()[0];
        int kh = w.shape()[1];
        int kw = w.shape()[2];
        int i = w.shape()[3];
        float[] src = w.data();
        float[] dst = new float[src.length];
        for (int a = 0; a < o; a++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    for (int b = 0; b < i; b++) {
                        dst[((a * i + b) * kh + y) * kw + x] = src[((a * kh + y) * kw + x) * i + b];
                    }
                }
            }
        }
        return new WeightTensor(new int[] {o, i, kh, kw}, dst);
    }
}
