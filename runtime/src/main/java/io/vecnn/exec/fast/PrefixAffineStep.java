package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.Op;
import io.vecnn.kernels.PointwiseNhwc;

import java.util.Map;

/**
 * A channel affine (and the ReLU after it, when that is its only reader) of a concat that is never materialised:
 * its channels are the first ones of a wider concat's buffer, which every member of a DenseNet block is written
 * into once. Reads the prefix with the wide buffer's row stride and writes a dense map.
 *
 * @param stride channels of the wide buffer's rows
 * @param shape  the affine's own shape: the prefix's channels
 */
record PrefixAffineStep(
        String name,
        Op.ChannelAffine op,
        float[] scale,
        float[] shift,
        boolean relu,
        int input,
        int stride,
        Shape shape,
        int output)
        implements Step {
    /** Pixels per task: enough work to amortise a fork. */
    private static final int CHUNK_VALUES = 1 << 15;

    @Override
    public int[] buffers() {
        return new int[] {input, output};
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        int pixels = batch * shape.height() * shape.width();
        int chunk = Math.max(1, CHUNK_VALUES / shape.channels());
        float[] x = buffers[input];
        float[] y = buffers[output];
        team.parallelFor(
                (pixels + chunk - 1) / chunk,
                t -> PointwiseNhwc.channelAffineOfPrefix(
                        x,
                        stride,
                        shape.channels(),
                        scale,
                        shift,
                        relu,
                        t * chunk,
                        Math.min(pixels, (t + 1) * chunk),
                        y));
    }

    @Override
    public void recoverWeights(Map<String, float[]> into) {
        into.put(op.scale(), scale.clone());
        into.put(op.shift(), shift.clone());
    }

    @Override
    public String describe() {
        return name + ": channel_affine" + (relu ? " + relu" : "") + " of the first " + shape.channels() + " of "
                + stride + " channels, in place in the block's concat buffer";
    }
}
