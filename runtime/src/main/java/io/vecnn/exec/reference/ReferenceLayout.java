package io.vecnn.exec.reference;

import io.vecnn.Tensor;

import java.util.List;

/** Ops that only move values: channel concat and flatten. */
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

    /** NHWC data is already in flatten order; only the shape changes. */
    static Tensor flatten(Tensor x) {
        return new Tensor(x.batch(), 1, 1, x.height() * x.width() * x.channels(), x.data());
    }
}
