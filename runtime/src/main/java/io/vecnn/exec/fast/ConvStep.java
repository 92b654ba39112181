package io.vecnn.exec.fast;

import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.Op;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.ConvOutput;

import java.util.Map;

/**
 * A convolution with its fused epilogue: bias (BatchNorm folded in), optional residual add, optional ReLU;
 * written into its channel slice of a concat output when a concat reads it.
 */
record ConvStep(String name, Op.Conv2d op, ConvKernel conv, int input, int output, ConvOutput to, int residual)
        implements Step {

    @Override
    public int[] buffers() {
        return residual < 0 ? new int[] {input, output} : new int[] {input, output, residual};
    }

    /**
     * The residual, when the kernel allows it and the output is a whole map of the residual's shape (not a
     * channel slice of a concat) and not the input read while writing.
     */
    @Override
    public int outputMayTake() {
        boolean wholeMap =
                to.channel() == 0 && to.channels() == conv.outputShape().channels();
        return residual >= 0 && residual != input && wholeMap && conv.residualMayShareOutput() ? residual : -1;
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        conv.run(buffers[input], batch, buffers[output], residual < 0 ? null : buffers[residual], to, team, scratch);
    }

    @Override
    public void recoverWeights(Map<String, float[]> into) {
        into.put(op.weight(), conv.ohwiWeight());
        if (op.bias() != null) {
            into.put(op.bias(), conv.bias());
        }
    }

    @Override
    public int scratchFloats(int batch) {
        return conv.scratchFloats(batch);
    }

    @Override
    public String describe() {
        return name + ": conv " + conv.outputShape() + " by " + conv.algorithm() + (residual >= 0 ? " + residual" : "")
                + (to.relu() ? " + relu" : "")
                + (to.activation() != null ? " + " + to.activation().kind() : "")
                + (to.channel() > 0 || to.channels() != conv.outputShape().channels()
                        ? " into channels " + to.channel() + ".."
                                + (to.channel() + conv.outputShape().channels()) + " of a concat"
                        : "");
    }
}
