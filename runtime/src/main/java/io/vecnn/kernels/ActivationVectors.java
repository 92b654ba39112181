package io.vecnn.kernels;

import io.vecnn.graph.ActivationFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link ActivationFunction}s on whole vectors, for the pointwise pass and the epilogues that fuse them.
 * Tanh is the Vector API's; exp is computed in line ({@link #exp}); erf, which the API lacks, is Abramowitz
 * and Stegun's 7.1.26 (absolute error below 1.5e-7, under float's resolution of GELU's output).
 */
public final class ActivationVectors {
    private static final VectorSpecies<Float> S = VectorIsa.SPECIES;
    private static final int V = VectorIsa.LANES;
    private static final float SIXTH = 1f / 6;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float ERF_P = 0.3275911f;
    private static final float EXP_LOW = -87.33654f;
    /** 127.5 ln 2: above it {@code n} rounds to 128 and {@code 2^n} overflows. */
    private static final float EXP_HIGH = 88.37626f;
    /** 1.5 × 2^23 + 127: added to {@code x log2 e}, leaves {@code n + 127} in the low mantissa bits. */
    private static final float ROUND = 12582912f + 127f;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;
    private static final float[] EXP_P = {
        1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f
    };
    private static final float[] ERF_A = {0.254829592f, -0.284496736f, 1.421413741f, -1.453152027f, 1.061405429f};

    private ActivationVectors() {}

    /**
     * {@code y = f(x)} over {@code [from, to)}. One loop per function, each with its arithmetic in line: a
     * loop calling a function-dispatching method per vector kept C2 from keeping the vectors in registers.
     * Whole vectors load unmasked and only the tail takes a mask: the passes run over rows a kernel stored a
     * moment ago, and a masked load cannot take its data from the store buffer (it waits for the stores to
     * retire), which doubled the time of a convolution with SiLU.
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

    /**
     * {@code f} in place over columns {@code [from, to)} of {@code rows} rows of {@code ld} floats, the first
     * starting at {@code first}: a block of output a kernel has just written. One pass where the columns are
     * whole rows, so the rows are contiguous; else one per row.
     */
    static void applyToRows(ActivationFunction f, float[] y, int first, int ld, int rows, int from, int to) {
        if (from == 0 && to == ld) {
            apply(f, y, first, first + rows * ld, y);
            return;
        }
        for (int t = 0; t < rows; t++) {
            int row = first + t * ld;
            apply(f, y, row + from, row + to, y);
        }
    }

    private static void relu6(float[] x, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            relu6(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            relu6(FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
        }
    }

    private static void sigmoid(float[] x, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            sigmoid(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            sigmoid(FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
        }
    }

    private static void tanh(float[] x, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            FloatVector.fromArray(S, x, i).lanewise(VectorOperators.TANH).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector.fromArray(S, x, i, m).lanewise(VectorOperators.TANH).intoArray(y, i, m);
        }
    }

    private static void silu(float[] x, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            silu(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            silu(FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
        }
    }

    private static void hardswish(float[] x, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            v.mul(hardSigmoid(v)).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(S, x, i, m);
            v.mul(hardSigmoid(v)).intoArray(y, i, m);
        }
    }

    private static void hardsigmoid(float[] x, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            hardSigmoid(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            hardSigmoid(FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
        }
    }

    private static void gelu(float[] x, int from, int to, float[] y) {
        int i = from;
        for (; i <= to - V; i += V) {
            gelu(FloatVector.fromArray(S, x, i)).intoArray(y, i);
        }
        if (i < to) {
            VectorMask<Float> m = S.indexInRange(i, to);
            gelu(FloatVector.fromArray(S, x, i, m)).intoArray(y, i, m);
        }
    }

    /**
     * {@code max(v, 0)}, NaN kept, as a compare and a blend. Java's vector MAX must also propagate NaN and
     * order -0 below +0, which C2 compiles to a sequence of several instructions: a ReLU6 pass took twice as
     * long as a copy. Here -0 stays -0, which no consumer of a ReLU tells from +0.
     */
    private static FloatVector relu(FloatVector v) {
        return v.blend(0f, v.compare(VectorOperators.LT, 0f));
    }

    /** {@code min(max(v, 0), 6)}, NaN kept: {@link #relu}, then a compare and a blend at 6. */
    private static FloatVector relu6(FloatVector v) {
        FloatVector r = relu(v);
        return r.blend(6f, r.compare(VectorOperators.GT, 6f));
    }

    private static FloatVector sigmoid(FloatVector v) {
        return FloatVector.broadcast(S, 1f).div(exp(v.neg()).add(1f));
    }

    /** {@code x / (1 + e^-x)}: one division, where {@code x * sigmoid(x)} takes a division and a product. */
    private static FloatVector silu(FloatVector v) {
        return v.div(exp(v.neg()).add(1f));
    }

    private static FloatVector gelu(FloatVector v) {
        return v.mul(erf(v.mul(INV_SQRT2)).add(1f)).mul(0.5f);
    }

    /**
     * {@code e^x} in about fifteen vector instructions (Cephes' expf with a rounding trick): {@code x = n ln2 + r}
     * with {@code |r| <= ln2/2}, a degree-6 polynomial for {@code e^r} and {@code 2^n} built in the exponent
     * bits. Adding {@link #ROUND} rounds {@code x log2 e} to the integer {@code n} in the low mantissa bits, so
     * shifting those bits gives {@code 2^n} directly, without float-int conversions. Within 2 ulp; 0 below
     * -87.34, infinity above 88.37 (where {@code 2^n} overflows although {@code e^x} is still finite: the
     * callers, sigmoid and erf, turn it into 0 or never reach it); NaN stays NaN. The two range checks are
     * compares and blends after the fact: clamping the input first, with Java's NaN-aware MIN and MAX, cost more.
     */
    private static FloatVector exp(FloatVector x) {
        FloatVector j = x.fma(LOG2E, ROUND);
        FloatVector n = j.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HIGH), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LOW), r);
        FloatVector p = FloatVector.broadcast(S, EXP_P[0]);
        for (int k = 1; k < EXP_P.length; k++) {
            p = p.fma(r, FloatVector.broadcast(S, EXP_P[k]));
        }
        p = p.fma(r.mul(r), r).add(1f);
        IntVector e = j.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
        FloatVector y = p.mul(e.reinterpretAsFloats());
        y = y.blend(0f, x.compare(VectorOperators.LT, EXP_LOW));
        return y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HIGH));
    }

    private static FloatVector hardSigmoid(FloatVector v) {
        return relu6(v.add(3f)).mul(SIXTH);
    }

    /** {@code sign(x) (1 - t (a1 + t (a2 + ... )) exp(-x^2))}, {@code t = 1 / (1 + p|x|)}. */
    private static FloatVector erf(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(a.mul(ERF_P).add(1f));
        FloatVector poly = FloatVector.broadcast(S, ERF_A[4]);
        for (int k = 3; k >= 0; k--) {
            poly = poly.fma(t, FloatVector.broadcast(S, ERF_A[k]));
        }
        FloatVector e = exp(a.mul(a).neg());
        FloatVector r = FloatVector.broadcast(S, 1f).sub(poly.mul(t).mul(e));
        // copysign: r >= 0, so the sign bit of x is all it takes; NaN stays NaN through the arithmetic above.
        return r.lanewise(VectorOperators.NEG, x.compare(VectorOperators.LT, 0f));
    }
}
