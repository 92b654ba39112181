package io.vecnn.kernels;

/**
 * What happens to a GEMM result on its way to memory, fused so the output is written once: add a
 * per-column bias (convolution bias with BatchNorm folded in), add a residual of the output's shape
 * (ResNet's skip connection), clamp at zero (ReLU) — in that order, as {@code relu(conv(x) + bias + identity)}.
 *
 * @param bias           per-column bias, or null
 * @param residual       values added element-wise, one row per output row, or null
 * @param residualStride the row stride of {@code residual}
 * @param relu           whether to clamp at zero
 */
public record Epilogue(float[] bias, float[] residual, int residualStride, boolean relu) {
    public static final Epilogue NONE = new Epilogue(null, null, 0, false);
}
