package io.vecnn.converter.fold;

import io.vecnn.Shape;

/**
 * PyTorch flattens NCHW maps channel-major, VecNN flattens NHWC maps channel-minor. The Linear layer
 * after a flatten therefore gets its weight columns permuted once, here, so no data moves per request.
 */
public final class FlattenPermutation {
    private FlattenPermutation() {}

    /**
     * @param weight   {@code [out][C*H*W]} with columns in NCHW order ({@code c*H*W + y*W + x})
     * @param flattened the C×H×W shape that was flattened
     * @return the same weights with columns in NHWC order ({@code (y*W + x)*C + c})
     */
    public static float[] nchwToNhwcColumns(float[] weight, int out, Shape flattened) {
        return WeightLayout.channelsLast(weight, out, flattened.channels(), flattened.height(), flattened.width());
    }

    /**
     * The inverse of {@link #nchwToNhwcColumns}: columns from NHWC order ({@code (y*W + x)*C + c}) back to
     * the NCHW order of torch.flatten and ONNX's Flatten ({@code c*H*W + y*W + x}). A per-feature vector is
     * a matrix of one row.
     */
    public static float[] nhwcToNchwColumns(float[] weight, int rows, Shape flattened) {
        return WeightLayout.channelsFirst(weight, rows, flattened.channels(), flattened.height(), flattened.width());
    }
}
