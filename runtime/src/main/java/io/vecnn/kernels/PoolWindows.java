package io.vecnn.kernels;

/**
 * The pooling windows along one axis, precomputed per output index: where each window starts and ends
 * inside the input, and the average's divisor for that axis (PyTorch's rule: with count_include_pad the
 * window clipped to the padded input, else the window clipped to the input). Adaptive pooling is the
 * special case of bins {@code [floor(i·in/out), ceil((i+1)·in/out))}.
 */
public record PoolWindows(int[] starts, int[] ends, int[] divisors) {

    public static PoolWindows of(int in, int out, int kernel, int stride, int pad, boolean countIncludePad) {
        int[] s = new int[out];
        int[] e = new int[out];
        int[] d = new int[out];
        for (int i = 0; i < out; i++) {
            int padStart = i * stride - pad;
            int padEnd = Math.min(padStart + kernel, in + pad);
            s[i] = Math.max(padStart, 0);
            e[i] = Math.min(padEnd, in);
            d[i] = countIncludePad ? padEnd - padStart : e[i] - s[i];
        }
        return new PoolWindows(s, e, d);
    }

    public static PoolWindows adaptive(int in, int out) {
        int[] s = new int[out];
        int[] e = new int[out];
        int[] d = new int[out];
        for (int i = 0; i < out; i++) {
            s[i] = Math.floorDiv(i * in, out);
            e[i] = -Math.floorDiv(-(i + 1) * in, out);
            d[i] = e[i] - s[i];
        }
        return new PoolWindows(s, e, d);
    }

    int start(int i) {
        return starts[i];
    }

    int end(int i) {
        return ends[i];
    }

    int divisor(int i) {
        return divisors[i];
    }
}
