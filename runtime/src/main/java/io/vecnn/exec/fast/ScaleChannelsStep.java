package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.kernels.PointwiseNhwc;

/**
 * A squeeze-and-excitation gate applied: each image's map times its per-channel factors, split across the
 * team in runs of pixels.
 *
 * @param shape one image's map
 */
record ScaleChannelsStep(String name, int input, int factors, Shape shape, int output) implements Step {
    /** Values per task: big enough to amortise a fork, as for the other pointwise steps. */
    private static final int CHUNK = 1 << 15;

    @Override
    public int[] buffers() {
        return new int[] {input, factors, output};
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        int pixels = shape.height() * shape.width();
        int channels = shape.channels();
        int perTask = Math.max(1, CHUNK / channels);
        int tasksPerImage = (pixels + perTask - 1) / perTask;
        float[] x = buffers[input];
        float[] s = buffers[factors];
        float[] y = buffers[output];
        team.parallelFor(batch * tasksPerImage, t -> {
            int n = t / tasksPerImage;
            int from = n * pixels + (t % tasksPerImage) * perTask;
            int to = Math.min((n + 1) * pixels, from + perTask);
            PointwiseNhwc.scaleChannels(x, s, n * channels, channels, from, to, y);
        });
    }

    @Override
    public String describe() {
        return name + ": scale_channels";
    }
}
