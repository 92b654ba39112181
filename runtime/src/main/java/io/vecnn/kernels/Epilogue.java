package io.vecnn.kernels;

import io.vecnn.graph.ActivationFunction;

/**
 * What happens to a GEMM result on its way to memory, fused so the output is written once: add a
 * per-column bias (convolution bias with BatchNorm folded in), add a residual of the output's shape
 * (ResNet's skip connection), clamp at zero (ReLU), apply an activation (MobileNet's ReLU6) — in that order,
 * as {@code f(relu(conv(x) + bias + identity))}.
 *
 * @param bias           per-column bias, or null
 * @param residual       values added element-wise, one row per output row, or null
 * @param residualStride the row stride of {@code residual}
 * @param relu           whether to clamp at zero
 * @param activation     applied last, or null
 */
public record Epilogue(
        float[] bias, float[] residual, int residualStride, boolean relu, ActivationFunction activation) {
    public static final Epilogue NONE = new Epilogue(null, null, 0, false);

    public Epilogue(float[] bias, float[] residual, int residualStride, boolean relu) {
        this(bias, residual, residualStride, relu, null);
    }
}
