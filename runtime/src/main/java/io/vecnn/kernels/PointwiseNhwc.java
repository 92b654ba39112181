package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise ops that could not be fused into a convolution (a BatchNorm after a pool, a ReLU after a
 * concat, an add of two non-convolution values), vectorised along the contiguous channel axis. Whole
 * vectors load and store unmasked and only a tail takes a mask: as an AVX2 JVM a masked store is an
 * emulated one (VMASKMOVPS), slow on every AMD core and microcoded on some.
 */
public final class PointwiseNhwc {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    private PointwiseNhwc() {}

    /**
     * {@code y = x * scale[c] + shift[c]} over {@code pixels} pixels of {@code c} channels. The flat array is
     * walked in whole vectors against scale and shift repeated to a period of {@code c × lanes} values (see
     * {@link #periodic}), so a 3-channel input map uses full vectors rather than 3 lanes of 16.
     *
     * @param scaleP {@code scale} repeated by {@link #periodic}
     * @param shiftP {@code shift} repeated by {@link #periodic}
     */
    public static void channelAffine(float[] x, float[] scaleP, float[] shiftP, int from, int to, float[] y) {
        int period = scaleP.length;
        int i = from;
        int j = from % period;
        for (; i <= to - V; i += V) {
            FloatVector.fromArray(S, x, i)
                    .fma(FloatVector.fromArray(S, scaleP, j), FloatVector.fromArray(S, shiftP, j))
                    .intoArray(y, i);
            j += V;
            if (j >= period) {
                j -= period;
            }
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector.fromArray(S, x, i, m)
                    .fma(FloatVector.fromArray(S, scaleP, j), FloatVector.fromArray(S, shiftP, j))
                    .intoArray(y, i, m);
        }
    }

    /**
     * {@code y = x * scale[c] + shift[c]}, then a ReLU if asked, for pixels {@code [fromPixel, toPixel)} whose
     * {@code channels} values start every {@code stride} floats in {@code x} (a channel prefix of a wider map: a
     * DenseNet layer's input inside its block's concat buffer); {@code y} is dense.
     */
    public static void channelAffineOfPrefix(
            float[] x,
            int stride,
            int channels,
            float[] scale,
            float[] shift,
            boolean relu,
            int fromPixel,
            int toPixel,
            float[] y) {
        int whole = channels - channels % V;
        VectorMask<Float> tail = S.indexInRange(whole, channels);
        for (int p = fromPixel; p < toPixel; p++) {
            int xi = p * stride;
            int yi = p * channels;
            for (int c = 0; c < whole; c += V) {
                FloatVector v = FloatVector.fromArray(S, x, xi + c)
                        .fma(FloatVector.fromArray(S, scale, c), FloatVector.fromArray(S, shift, c));
                (relu ? v.lanewise(VectorOperators.MAX, 0f) : v).intoArray(y, yi + c);
            }
            if (whole < channels) {
                FloatVector v = FloatVector.fromArray(S, x, xi + whole, tail)
                        .fma(
                                FloatVector.fromArray(S, scale, whole, tail),
                                FloatVector.fromArray(S, shift, whole, tail));
                (relu ? v.lanewise(VectorOperators.MAX, 0f) : v).intoArray(y, yi + whole, tail);
            }
        }
    }

    /** {@code v} repeated {@code lanes} times: a period that both the channel count and the vector width divide. */
    public static float[] periodic(float[] v) {
        float[] p = new float[v.length * S.length()];
        for (int i = 0; i < p.length; i++) {
            p[i] = v[i % v.length];
        }
        return p;
    }

    /** The vector width, so callers split work on whole vectors. */
    public static int lanes() {
        return S.length();
    }

    /** {@code y = max(x, 0)} over {@code [from, to)}, NaN kept. */
    public static void relu(float[] x, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.MAX, 0f).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector.fromArray(S, x, i, m).lanewise(VectorOperators.MAX, 0f).intoArray(y, i, m);
        }
    }

    /**
     * {@code y[p][c] = x[p][c] * s[sOff + c]} for pixels {@code [fromPixel, toPixel)} of {@code channels}
     * channels: one image's pixels scaled by its squeeze-and-excitation gate.
     */
    public static void scaleChannels(
            float[] x, float[] s, int sOff, int channels, int fromPixel, int toPixel, float[] y) {
        int whole = channels - channels % V;
        VectorMask<Float> tail = S.indexInRange(whole, channels);
        for (int p = fromPixel; p < toPixel; p++) {
            int base = p * channels;
            for (int c = 0; c < whole; c += V) {
                FloatVector.fromArray(S, x, base + c)
                        .mul(FloatVector.fromArray(S, s, sOff + c))
                        .intoArray(y, base + c);
            }
            if (whole < channels) {
                FloatVector.fromArray(S, x, base + whole, tail)
                        .mul(FloatVector.fromArray(S, s, sOff + whole, tail))
                        .intoArray(y, base + whole, tail);
            }
        }
    }

    /** {@code y = a + b} over {@code [from, to)}. */
    public static void add(float[] a, float[] b, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector.fromArray(S, a, i, m)
                    .add(FloatVector.fromArray(S, b, i, m))
                    .intoArray(y, i, m);
        }
    }
}
