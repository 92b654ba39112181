package io.vecnn.exec.fast;

import io.vecnn.kernels.Conv2dGemm;

import java.util.concurrent.ForkJoinPool;

/** A convolution with its fused epilogue: bias (BatchNorm folded in), optional residual add, optional ReLU. */
record ConvStep(String name, Conv2dGemm conv, int input, int output, int residual, boolean relu) implements Step {

    @Override
    public void run(float[][] buffers, int batch, ForkJoinPool pool) {
        conv.run(buffers[input], batch, buffers[output], 0, conv.outputShape().channels(),
                residual < 0 ? null : buffers[residual], relu, pool);
    }

    @Override
    public String describe() {
        return name + ": conv " + conv.outputShape() + (residual >= 0 ? " + residual" : "") + (relu ? " + relu" : "");
    }
}
