package io.vecnn.converter.onnx;

import io.vecnn.graph.Shape;
import io.vecnn.graph.WeightTensor;

/**
 * Puts weights back into PyTorch's layouts, which ONNX shares: the inverse of what the converter did to
 * them for the runtime (see {@code WeightLayout} and {@code FlattenPermutation}).
 */
final class OnnxWeightLayout {
    private OnnxWeightLayout() {
    }

    /** {@code [out][kh][kw][in]} to ONNX Conv's {@code [out][in][kh][kw]}. */
    static WeightTensor ohwiToOihw(WeightTensor w) {
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

    /**
     * A Linear weight whose columns follow VecNN's NHWC flatten order ({@code (y*W + x)*C + c}), with its
     * columns moved to the NCHW flatten order of ONNX's Flatten ({@code c*H*W + y*W + x}).
     */
    static WeightTensor nhwcToNchwColumns(WeightTensor w, Shape flattened) {
        int out = w.shape()[0];
        int c = flattened.channels();
        int h = flattened.height();
        int wd = flattened.width();
        int in = c * h * wd;
        float[] src = w.data();
        float[] dst = new float[src.length];
        for (int o = 0; o < out; o++) {
            int row = o * in;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < wd; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        dst[row + (ch * h + y) * wd + x] = src[row + (y * wd + x) * c + ch];
                    }
                }
            }
        }
        return new WeightTensor(w.shape(), dst);
    }
}
