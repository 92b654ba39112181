package io.vecnn.converter.statedict;

import java.util.Arrays;

/**
 * One tensor of a state dict, made contiguous (row-major, PyTorch's NCHW / OIHW order) and widened
 * to float32 values whatever its dtype on file; {@link #dtype()} keeps the type it had there.
 *
 * @param dtype the element type in the file
 * @param shape the PyTorch shape (empty for a 0-d tensor)
 * @param data  {@code product(shape)} values in row-major order
 */
public record TorchTensor(DType dtype, int[] shape, float[] data) {

    public TorchTensor {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " values, data has " + data.length);
        }
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
