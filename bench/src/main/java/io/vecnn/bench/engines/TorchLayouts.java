package io.vecnn.bench.engines;

import io.vecnn.graph.Shape;

/**
 * VecNN's weight layouts back to PyTorch's: the inverse of what the converter does, so that libtorch runs
 * the weights exactly as a PyTorch module holding them would (NCHW activations, OIHW convolutions).
 */
final class TorchLayouts {
    private TorchLayouts() {
    }

    /** {@code [out][kh][kw][in]} to PyTorch's {@code [out][in][kh][kw]}. */
    static float[] ohwiToOihw(float[] ohwi, int out, int kh, int kw, int in) {
        float[] oihw = new float[ohwi.length];
        for (int o = 0; o < out; o++) {
            for (int y = 0; y < kh; y++) {
                for (int x = 0; x < kw; x++) {
                    for (int i = 0; i < in; i++) {
                        oihw[((o * in + i) * kh + y) * kw + x] = ohwi[((o * kh + y) * kw + x) * in + i];
                    }
                }
            }
        }
        return oihw;
    }

    /**
     * The columns of a {@code [rows][C*H*W]} matrix from NHWC flatten order ({@code (y*W + x)*C + c}), the
     * order VecNN's Linear after a flatten reads, to NCHW order ({@code (c*H + y)*W + x}), torch.flatten's.
     */
    static float[] nhwcToNchwColumns(float[] matrix, int rows, Shape flattened) {
        int c = flattened.channels();
        int h = flattened.height();
        int w = flattened.width();
        int cols = c * h * w;
        float[] dst = new float[matrix.length];
        for (int r = 0; r < rows; r++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        dst[r * cols + (ch * h + y) * w + x] = matrix[r * cols + (y * w + x) * c + ch];
                    }
                }
            }
        }
        return dst;
    }

    /** A per-feature vector of a flattened map, from NHWC flatten order to NCHW flatten order. */
    static float[] nhwcToNchwVector(float[] vector, Shape flattened) {
        return nhwcToNchwColumns(vector, 1, flattened);
    }
}
