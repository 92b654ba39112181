package io.vecnn.exec.fast;

import io.vecnn.exec.parallel.Team;

/**
 * Channel concat for the inputs that could not be written in place: convolutions write straight into
 * their slice of the concat output, so this step copies only what other ops (an Inception block's pool
 * branch fed by a reference op, say) produced.
 *
 * @param inputs        buffers to copy
 * @param channels      channels of each copied input
 * @param offsets       where each copied input's channels start in the output
 * @param totalChannels channels of the output
 * @param pixels        pixels per image
 */
record ConcatStep(String name, int[] inputs, int[] channels, int[] offsets, int totalChannels, int pixels, int output)
        implements Step {

    @Override
    public int[] buffers() {
        return Step.inputsAndOutput(inputs, output);
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        float[] y = buffers[output];
        for (int i = 0; i < inputs.length; i++) {
            float[] x = buffers[inputs[i]];
            int c = channels[i];
            for (int p = 0, n = batch * pixels; p < n; p++) {
                System.arraycopy(x, p * c, y, p * totalChannels + offsets[i], c);
            }
        }
    }

    @Override
    public String describe() {
        return name + ": concat, " + inputs.length + " input(s) copied, the rest written in place";
    }
}
