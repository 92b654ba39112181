package io.vecnn.exec.fast;

import io.vecnn.graph.Op;
import io.vecnn.graph.Shape;
import io.vecnn.kernels.PointwiseNhwc;

import java.util.concurrent.ForkJoinPool;

/** A channel affine, ReLU or two-input add that stands on its own (nothing to fuse it into). */
record PointwiseStep(String name, Op op, float[] scale, float[] shift, int[] inputs, Shape shape, int output)
        implements Step {

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, ForkJoinPool pool) {
        int pixels = batch * shape.height() * shape.width();
        int n = pixels * shape.channels();
        float[] y = buffers[output];
        if (op instanceof Op.ChannelAffine) {
            PointwiseNhwc.channelAffine(buffers[inputs[0]], scale, shift, pixels, shape.channels(), y);
        } else if (op instanceof Op.Relu) {
            PointwiseNhwc.relu(buffers[inputs[0]], n, y);
        } else {
            PointwiseNhwc.add(buffers[inputs[0]], buffers[inputs[1]], n, y);
        }
    }

    @Override
    public String describe() {
        return name + ": " + op.kind();
    }
}
