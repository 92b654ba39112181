package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise ops that could not be fused into a convolution (a BatchNorm after a pool, a ReLU after a
 * concat, an add of two non-convolution values), vectorised along the contiguous channel axis.
 */
public final class PointwiseNhwc {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private PointwiseNhwc() {
    }

    /** {@code y = x * scale[c] + shift[c]} over {@code pixels} pixels of {@code c} channels. */
    public static void channelAffine(float[] x, float[] scale, float[] shift, int pixels, int c, float[] y) {
        for (int p = 0; p < pixels; p++) {
            int base = p * c;
            for (int ch = 0; ch < c; ch += S.length()) {
                VectorMask<Float> m = S.indexInRange(ch, c);
                FloatVector.fromArray(S, x, base + ch, m)
                        .fma(FloatVector.fromArray(S, scale, ch, m), FloatVector.fromArray(S, shift, ch, m))
                        .intoArray(y, base + ch, m);
            }
        }
    }

    /** {@code y = max(x, 0)}, NaN kept. */
    public static void relu(float[] x, int n, float[] y) {
        for (int i = 0; i < n; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, x, i, m).lanewise(VectorOperators.MAX, 0f).intoArray(y, i, m);
        }
    }

    /** {@code y = a + b}. */
    public static void add(float[] a, float[] b, int n, float[] y) {
        for (int i = 0; i < n; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, n);
            FloatVector.fromArray(S, a, i, m).add(FloatVector.fromArray(S, b, i, m)).intoArray(y, i, m);
        }
    }
}
