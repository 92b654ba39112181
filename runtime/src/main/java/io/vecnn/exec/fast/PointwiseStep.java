package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.Op;
import io.vecnn.kernels.ActivationVectors;
import io.vecnn.kernels.PointwiseNhwc;

import java.util.Arrays;
import java.util.Map;

/**
 * A channel affine, activation or two-input add that stands on its own (nothing to fuse it into), split across
 * the team in chunks of whole periods.
 *
 * @param scale for a channel affine, the scale repeated by {@link PointwiseNhwc#periodic}
 * @param shift likewise
 */
record PointwiseStep(String name, Op op, float[] scale, float[] shift, int[] inputs, Shape shape, int output)
        implements Step {
    /** Values per task: big enough to amortise a fork, small enough to split a 224x224x3 input. */
    private static final int CHUNK = 1 << 15;

    static PointwiseStep of(String name, Op op, float[] scale, float[] shift, int[] inputs, Shape shape, int output) {
        return new PointwiseStep(
                name,
                op,
                scale == null ? null : PointwiseNhwc.periodic(scale),
                shift == null ? null : PointwiseNhwc.periodic(shift),
                inputs,
                shape,
                output);
    }

    @Override
    public int[] buffers() {
        return Step.inputsAndOutput(inputs, output);
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        int n = (int) (batch * shape.size());
        int period = shape.channels() * PointwiseNhwc.lanes();
        int chunk = Math.max(1, CHUNK / period) * period;
        float[] y = buffers[output];
        float[] x = buffers[inputs[0]];
        team.parallelFor((n + chunk - 1) / chunk, t -> {
            int from = t * chunk;
            int to = Math.min(n, from + chunk);
            if (op instanceof Op.ChannelAffine) {
                PointwiseNhwc.channelAffine(x, scale, shift, from, to, y);
            } else if (op instanceof Op.Relu) {
                PointwiseNhwc.relu(x, from, to, y);
            } else if (op instanceof Op.Activation a) {
                ActivationVectors.apply(a.function(), x, from, to, y);
            } else {
                PointwiseNhwc.add(x, buffers[inputs[1]], from, to, y);
            }
        });
    }

    @Override
    public void recoverWeights(Map<String, float[]> into) {
        if (op instanceof Op.ChannelAffine a) {
            into.put(a.scale(), Arrays.copyOf(scale, shape.channels()));
            into.put(a.shift(), Arrays.copyOf(shift, shape.channels()));
        }
    }

    @Override
    public String describe() {
        return name + ": " + op.kind();
    }
}
