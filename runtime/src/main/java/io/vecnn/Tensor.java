package io.vecnn;

import io.vecnn.kernels.NchwLayout;

import java.util.Arrays;

/**
 * A batch of float32 feature maps in NHWC order, the layout VecNN computes in: the channel is the
 * innermost, contiguous axis, so one pixel's channels form a vector. A flattened tensor has
 * {@code h == w == 1}.
 *
 * <p>The data array is owned by the tensor; callers that keep a tensor must not write into it.
 */
public final class Tensor {
    private final int n;
    private final int h;
    private final int w;
    private final int c;
    private final float[] data;

    public Tensor(int n, int h, int w, int c, float[] data) {
        int size = length(n, h, w, c);
        if (data == null) {
            throw new InputShapeException("NHWC " + n + "x" + h + "x" + w + "x" + c + " given null data");
        }
        if (data.length != size) {
            throw new InputShapeException(
                    "NHWC " + n + "x" + h + "x" + w + "x" + c + " needs " + size + " values, got " + data.length);
        }
        this.n = n;
        this.h = h;
        this.w = w;
        this.c = c;
        this.data = data;
    }

    public static Tensor zeros(int n, int h, int w, int c) {
        return new Tensor(n, h, w, c, new float[length(n, h, w, c)]);
    }

    /** The number of values of an NHWC tensor, refusing dimensions that are not positive or overflow an array. */
    private static int length(int n, int h, int w, int c) {
        if (n <= 0 || h <= 0 || w <= 0 || c <= 0) {
            throw new InputShapeException(
                    "tensor dimensions must be positive, got NHWC " + n + "x" + h + "x" + w + "x" + c);
        }
        long size = (long) n * h * w * c;
        if (size > Integer.MAX_VALUE - 8) {
            throw new InputShapeException("NHWC " + n + "x" + h + "x" + w + "x" + c + " has " + size
                    + " values, more than a Java array holds");
        }
        return (int) size;
    }

    /** Re-lays a PyTorch NCHW batch into NHWC. */
    public static Tensor fromNchw(float[] nchw, int n, int c, int h, int w) {
        int size = length(n, h, w, c);
        if (nchw == null) {
            throw new InputShapeException("NCHW " + n + "x" + c + "x" + h + "x" + w + " given null data");
        }
        if (nchw.length != size) {
            throw new InputShapeException(
                    "NCHW " + n + "x" + c + "x" + h + "x" + w + " needs " + size + " values, got " + nchw.length);
        }
        Tensor t = zeros(n, h, w, c);
        t.copyFromNchw(nchw);
        return t;
    }

    /**
     * Overwrites this tensor with a PyTorch NCHW batch of the same shape, re-laid into NHWC: for callers that
     * keep one input tensor and refill it per request instead of allocating one.
     */
    public void copyFromNchw(float[] nchw) {
        if (nchw == null || nchw.length != data.length) {
            throw new InputShapeException("NCHW " + n + "x" + c + "x" + h + "x" + w + " needs " + data.length
                    + " values, got " + (nchw == null ? "null" : String.valueOf(nchw.length)));
        }
        NchwLayout.toNhwc(nchw, data, n, new Shape(c, h, w));
    }

    /** The same values in PyTorch's NCHW order. */
    public float[] toNchw() {
        float[] out = new float[data.length];
        NchwLayout.toNchw(data, out, n, new Shape(c, h, w));
        return out;
    }

    public int batch() {
        return n;
    }

    public int height() {
        return h;
    }

    public int width() {
        return w;
    }

    public int channels() {
        return c;
    }

    public float[] data() {
        return data;
    }

    /** Index of element (b, y, x, ch) in {@link #data()}. */
    public int index(int b, int y, int x, int ch) {
        return ((b * h + y) * w + x) * c + ch;
    }

    public float get(int b, int y, int x, int ch) {
        return data[index(b, y, x, ch)];
    }

    @Override
    public String toString() {
        return "Tensor[NHWC " + n + "x" + h + "x" + w + "x" + c + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.n == n && t.h == h && t.w == w && t.c == c && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 31 + n;
    }
}
