package io.vecnn.exec.fast;

import io.vecnn.kernels.Pool2dNhwc;

import java.util.concurrent.ForkJoinPool;

/** Max, average or adaptive average pooling, vectorised across channels. */
record PoolStep(String name, String kind, Pool2dNhwc pool, int input, int output) implements Step {

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, ForkJoinPool threads) {
        pool.run(buffers[input], batch, buffers[output], threads);
    }

    @Override
    public String describe() {
        return name + ": " + kind;
    }
}
