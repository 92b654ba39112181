package io.vecnn.exec.fast;

import io.vecnn.exec.parallel.Team;
import io.vecnn.kernels.Pool2dNhwc;

/** Max, average or adaptive average pooling, vectorised across channels. */
record PoolStep(String name, String kind, Pool2dNhwc kernel, int input, int output) implements Step {

    @Override
    public int[] buffers() {
        return new int[] {input, output};
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        kernel.run(buffers[input], batch, buffers[output], team);
    }

    @Override
    public String describe() {
        return name + ": " + kind;
    }
}
