package io.vecnn.graph;

import java.util.Arrays;

/**
 * A named weight of a graph in the runtime's layout (see {@link Op}), float32.
 *
 * @param shape its dimensions
 * @param data  {@code product(shape)} values, row-major
 */
public record WeightTensor(int[] shape, float[] data) {
    public WeightTensor {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
        }
    }

    public static WeightTensor vector(float[] data) {
        return new WeightTensor(new int[] {data.length}, data);
    }
}
