package io.vecnn.exec.fast;

import io.vecnn.graph.Op;
import io.vecnn.graph.Shape;
import io.vecnn.kernels.Conv2dGemm;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.WinogradF43;

/**
 * Picks the algorithm of each convolution. Winograd F(4x4,3x3) does a quarter of the multiplications of a
 * 3x3 stride-1 convolution, but pays for its transforms: it wins when there are enough channels for the
 * 36 GEMMs to dominate. Everything else goes through the blocked GEMM (direct for 1x1, im2col otherwise).
 */
final class ConvAlgorithms {
    /** Below this many input or output channels the transforms cost more than the multiplications saved. */
    static final int WINOGRAD_MIN_CHANNELS = 16;

    private ConvAlgorithms() {
    }

    static ConvKernel choose(Op.Conv2d c, float[] weight, float[] bias, Shape in, Shape out) {
        boolean winograd = c.kernelH() == 3 && c.kernelW() == 3 && c.strideH() == 1 && c.strideW() == 1
                && c.dilationH() == 1 && c.dilationW() == 1 && c.groups() == 1 && c.padH() == c.padW()
                && in.channels() >= WINOGRAD_MIN_CHANNELS && out.channels() >= WINOGRAD_MIN_CHANNELS;
        return winograd ? new WinogradF43(weight, bias, c.padH(), in, out) : new Conv2dGemm(c, weight, bias, in, out);
    }
}
