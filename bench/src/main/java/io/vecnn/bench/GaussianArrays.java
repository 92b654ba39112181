package io.vecnn.bench;

import java.util.SplittableRandom;

/** Random inputs and weights for benchmarks: speed does not depend on the values, only on their being normal floats. */
public final class GaussianArrays {
    private GaussianArrays() {}

    /** {@code n} standard normal values drawn from {@code random}, in order. */
    public static float[] of(int n, SplittableRandom random) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
