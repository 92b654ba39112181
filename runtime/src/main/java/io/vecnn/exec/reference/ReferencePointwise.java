package io.vecnn.exec.reference;

import io.vecnn.Tensor;
import io.vecnn.graph.ActivationFunction;

import java.util.List;

/** Ops that touch each value (or each pixel's channel vector) independently. */
final class ReferencePointwise {
    private ReferencePointwise() {}

    /** max(x, 0), keeping NaN as PyTorch does. */
    static Tensor relu(Tensor x) {
        float[] out = x.data().clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0) {
                out[i] = 0;
            }
        }
        return new Tensor(x.batch(), x.height(), x.width(), x.channels(), out);
    }

    /** The function in double precision, rounded once to float. */
    static Tensor activation(ActivationFunction f, Tensor x) {
        float[] out = new float[x.data().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) f.apply(x.data()[i]);
        }
        return new Tensor(x.batch(), x.height(), x.width(), x.channels(), out);
    }

    static Tensor channelAffine(Tensor x, float[] scale, float[] shift) {
        float[] out = new float[x.data().length];
        int c = x.channels();
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((double) x.data()[i] * scale[i % c] + shift[i % c]);
        }
        return new Tensor(x.batch(), x.height(), x.width(), c, out);
    }

    /** {@code x[n,h,w,c] * s[n,0,0,c]}. */
    static Tensor scaleChannels(Tensor x, Tensor s) {
        float[] out = new float[x.data().length];
        int c = x.channels();
        int pixels = x.height() * x.width();
        for (int i = 0; i < out.length; i++) {
            int n = i / (pixels * c);
            out[i] = x.data()[i] * s.data()[n * c + i % c];
        }
        return new Tensor(x.batch(), x.height(), x.width(), c, out);
    }

    static Tensor add(List<Tensor> xs) {
        float[] out = new float[xs.get(0).data().length];
        for (int i = 0; i < out.length; i++) {
            double sum = 0;
            for (Tensor x : xs) {
                sum += x.data()[i];
            }
            out[i] = (float) sum;
        }
        Tensor first = xs.get(0);
        return new Tensor(first.batch(), first.height(), first.width(), first.channels(), out);
    }

    /** Softmax over each pixel's channels: {@code exp(x - logSumExp)}, which cannot overflow. */
    /**
     * Each pixel's channels normalised to mean 0 and (biased) variance 1, then scaled and shifted per channel:
     * mean and variance in double precision, the variance from the deviations (two passes), not from
     * {@code E[x²] - E[x]²}, which cancels catastrophically when the mean is large.
     */
    static Tensor layerNorm(Tensor x, float[] weight, float[] bias, double eps) {
        float[] out = new float[x.data().length];
        int c = x.channels();
        float[] in = x.data();
        for (int p = 0; p < out.length; p += c) {
            double sum = 0;
            for (int i = 0; i < c; i++) {
                sum += in[p + i];
            }
            double mean = sum / c;
            double squares = 0;
            for (int i = 0; i < c; i++) {
                double d = in[p + i] - mean;
                squares += d * d;
            }
            double inv = 1 / Math.sqrt(squares / c + eps);
            for (int i = 0; i < c; i++) {
                out[p + i] = (float) ((in[p + i] - mean) * inv * weight[i] + bias[i]);
            }
        }
        return new Tensor(x.batch(), x.height(), x.width(), c, out);
    }

    static Tensor softmax(Tensor x) {
        return perPixel(x, false);
    }

    /** {@code x - logSumExp} per pixel: exact where log(softmax) would underflow to -inf. */
    static Tensor logSoftmax(Tensor x) {
        return perPixel(x, true);
    }

    private static Tensor perPixel(Tensor x, boolean log) {
        float[] out = new float[x.data().length];
        int c = x.channels();
        for (int p = 0; p < out.length; p += c) {
            double lse = logSumExp(x.data(), p, c);
            for (int i = 0; i < c; i++) {
                double v = x.data()[p + i] - lse;
                out[p + i] = (float) (log ? v : Math.exp(v));
            }
        }
        return new Tensor(x.batch(), x.height(), x.width(), c, out);
    }

    /** {@code log(sum(exp(x)))} over {@code c} values from {@code p}, shifted by the maximum so nothing overflows. */
    private static double logSumExp(float[] x, int p, int c) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < c; i++) {
            max = Math.max(max, x[p + i]);
        }
        double sum = 0;
        for (int i = 0; i < c; i++) {
            sum += Math.exp(x[p + i] - max);
        }
        return max + Math.log(sum);
    }
}
