package io.vecnn.exec.reference;

import io.vecnn.Tensor;

import java.util.List;

/** Ops that only move values: channel concat, shuffle and slice, and flatten. */
final class ReferenceLayout {
    private ReferenceLayout() {}

    static Tensor concat(List<Tensor> xs) {
        Tensor first = xs.get(0);
        int channels = xs.stream().mapToInt(Tensor::channels).sum();
        Tensor y = Tensor.zeros(first.batch(), first.height(), first.width(), channels);
        int pixels = first.batch() * first.height() * first.width();
        int offset = 0;
        for (Tensor x : xs) {
            for (int p = 0; p < pixels; p++) {
                System.arraycopy(x.data(), p * x.channels(), y.data(), p * channels + offset, x.channels());
            }
            offset += x.channels();
        }
        return y;
    }

    /** Output channel {@code k * groups + g} of each pixel is input channel {@code g * (C / groups) + k}. */
    static Tensor channelShuffle(Tensor x, int groups) {
        int c = x.channels();
        int perGroup = c / groups;
        float[] out = new float[x.data().length];
        for (int p = 0; p < out.length; p += c) {
            for (int g = 0; g < groups; g++) {
                for (int k = 0; k < perGroup; k++) {
                    out[p + k * groups + g] = x.data()[p + g * perGroup + k];
                }
            }
        }
        return new Tensor(x.batch(), x.height(), x.width(), c, out);
    }

    /** Channels {@code [start, end)} of each pixel. */
    static Tensor channelSlice(Tensor x, int start, int end) {
        int c = x.channels();
        int width = end - start;
        int pixels = x.batch() * x.height() * x.width();
        float[] out = new float[pixels * width];
        for (int p = 0; p < pixels; p++) {
            for (int k = 0; k < width; k++) {
                out[p * width + k] = x.data()[p * c + start + k];
            }
        }
        return new Tensor(x.batch(), x.height(), x.width(), width, out);
    }

    /** NHWC data is already in flatten order; only the shape changes. */
    static Tensor flatten(Tensor x) {
        return new Tensor(x.batch(), 1, 1, x.height() * x.width() * x.channels(), x.data());
    }
}
