package io.vecnn.kernels;

import io.vecnn.graph.ActivationFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link ActivationFunction}s on whole vectors, for the pointwise pass and the epilogues that fuse them.
 * Exp and tanh are the Vector API's (intrinsics on x86); erf, which it lacks, is Abramowitz and Stegun's
 * 7.1.26 (absolute error below 1.5e-7, under float's resolution of GELU's output).
 */
public final class ActivationVectors {
    private static final VectorSpecies<Float> S = VectorIsa.SPECIES;
    private static final float SIXTH = 1f / 6;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float ERF_P = 0.3275911f;
    private static final float[] ERF_A = {0.254829592f, -0.284496736f, 1.421413741f, -1.453152027f, 1.061405429f};

    private ActivationVectors() {}

    /**
     * {@code y = f(x)} over {@code [from, to)}. One loop per function, each with its arithmetic in line: a
     * loop calling a function-dispatching method per vector kept C2 from keeping the vectors in registers.
     */
    public static void apply(ActivationFunction f, float[] x, int from, int to, float[] y) {
        switch (f) {
            case RELU6 -> relu6(x, from, to, y);
            case SIGMOID -> sigmoid(x, from, to, y);
            case TANH -> tanh(x, from, to, y);
            case SILU -> silu(x, from, to, y);
            case HARDSWISH -> hardswish(x, from, to, y);
            case HARDSIGMOID -> hardsigmoid(x, from, to, y);
            case GELU -> gelu(x, from, to, y);
        }
    }

    private static void relu6(float[] x, int from, int to, float[] y) {
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector.fromArray(S, x, i, m)
                    .lanewise(VectorOperators.MAX, 0f)
                    .lanewise(VectorOperators.MIN, 6f)
                    .intoArray(y, i, m);
        }
    }

    private static void sigmoid(float[] x, int from, int to, float[] y) {
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            sigmoid(FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
        }
    }

    private static void tanh(float[] x, int from, int to, float[] y) {
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector.fromArray(S, x, i, m).lanewise(VectorOperators.TANH).intoArray(y, i, m);
        }
    }

    private static void silu(float[] x, int from, int to, float[] y) {
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(S, x, i, m);
            v.mul(sigmoid(v)).intoArray(y, i, m);
        }
    }

    private static void hardswish(float[] x, int from, int to, float[] y) {
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(S, x, i, m);
            v.mul(hardSigmoid(v)).intoArray(y, i, m);
        }
    }

    private static void hardsigmoid(float[] x, int from, int to, float[] y) {
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            hardSigmoid(FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
        }
    }

    private static void gelu(float[] x, int from, int to, float[] y) {
        for (int i = from; i < to; i += S.length()) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(S, x, i, m);
            v.mul(erf(v.mul(INV_SQRT2)).add(1f)).mul(0.5f).intoArray(y, i, m);
        }
    }

    private static FloatVector sigmoid(FloatVector v) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        return one.div(v.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    private static FloatVector hardSigmoid(FloatVector v) {
        return v.add(3f)
                .lanewise(VectorOperators.MAX, 0f)
                .lanewise(VectorOperators.MIN, 6f)
                .mul(SIXTH);
    }

    /** {@code sign(x) (1 - t (a1 + t (a2 + ... )) exp(-x^2))}, {@code t = 1 / (1 + p|x|)}. */
    private static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(a.mul(ERF_P).add(1f));
        FloatVector poly = FloatVector.broadcast(S, ERF_A[4]);
        for (int k = 3; k >= 0; k--) {
            poly = poly.fma(t, FloatVector.broadcast(S, ERF_A[k]));
        }
        FloatVector e = a.mul(a).neg().lanewise(VectorOperators.EXP);
        FloatVector r = FloatVector.broadcast(S, 1f).sub(poly.mul(t).mul(e));
        // copysign: r >= 0, so the sign bit of x is all it takes; NaN stays NaN through the arithmetic above.
        return r.lanewise(VectorOperators.NEG, x.compare(VectorOperators.LT, 0f));
    }
}
