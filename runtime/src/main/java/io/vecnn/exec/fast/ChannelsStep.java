package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.Op;
import io.vecnn.kernels.ChannelsNhwc;

import java.util.Map;

/**
 * An op over each pixel's channels (layer normalisation, channel shuffle, channel slice), split across the team
 * in runs of whole pixels.
 *
 * @param in     the input map of one image
 * @param weight for a layer norm, its per-channel scale; null otherwise
 * @param bias   for a layer norm, its per-channel shift; null otherwise
 */
record ChannelsStep(String name, Op op, Shape in, float[] weight, float[] bias, int input, int output) implements Step {
    /** Values per task: big enough to amortise a fork, as for the other pointwise steps. */
    private static final int CHUNK = 1 << 15;

    @Override
    public int[] buffers() {
        return new int[] {input, output};
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        int pixels = batch * in.height() * in.width();
        int channels = in.channels();
        int perTask = Math.max(1, CHUNK / channels);
        float[] x = buffers[input];
        float[] y = buffers[output];
        team.parallelFor((pixels + perTask - 1) / perTask, t -> {
            int from = t * perTask;
            int to = Math.min(pixels, from + perTask);
            if (op instanceof Op.LayerNorm l) {
                ChannelsNhwc.layerNorm(x, weight, bias, l.eps(), channels, from, to, y);
            } else if (op instanceof Op.ChannelShuffle g) {
                ChannelsNhwc.channelShuffle(x, channels, g.groups(), from, to, y);
            } else {
                Op.ChannelSlice s = (Op.ChannelSlice) op;
                ChannelsNhwc.channelSlice(x, channels, s.start(), s.end(), from, to, y);
            }
        });
    }

    @Override
    public void recoverWeights(Map<String, float[]> into) {
        if (op instanceof Op.LayerNorm l) {
            into.put(l.weight(), weight.clone());
            into.put(l.bias(), bias.clone());
        }
    }

    @Override
    public String describe() {
        if (op instanceof Op.ChannelShuffle g) {
            return name + ": channel_shuffle, " + g.groups() + " groups";
        }
        if (op instanceof Op.ChannelSlice s) {
            return name + ": channel_slice " + s.start() + ".." + s.end();
        }
        return name + ": layer_norm over " + in.channels() + " channels";
    }
}
