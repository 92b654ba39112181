package io.vecnn.testing;

import io.vecnn.Tensor;

import java.util.random.RandomGenerator;

/** Seeded normal values for test inputs and weights: one helper for every test that needs them. */
public final class RandomTensors {
    private RandomTensors() {}

    /** {@code n} values from a normal distribution of standard deviation {@code scale}. */
    public static float[] gaussian(RandomGenerator random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    /** {@code n} standard normal values. */
    public static float[] gaussian(RandomGenerator random, int n) {
        return gaussian(random, n, 1);
    }

    /** An NHWC tensor of standard normal values. */
    public static Tensor gaussian(RandomGenerator random, int batch, int height, int width, int channels) {
        return new Tensor(batch, height, width, channels, gaussian(random, batch * height * width * channels));
    }
}
