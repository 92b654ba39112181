package io.vecnn.kernels;

import io.vecnn.graph.ActivationFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Applies an {@link Epilogue} to a block of GEMM sums on their way into the output: the sums sit either
 * already in place (full panels) or in a scratch tile (a panel's tail, which must not overwrite the
 * neighbouring columns). Runs over L1-resident data, a few percent of the GEMM's time.
 */
final class EpilogueKernel {
    private static final VectorSpecies<Float> S = VectorIsa.SPECIES;

    private EpilogueKernel() {}

    /**
     * @param src   sums, row r at {@code srcOff + r*srcLd}
     * @param c     output, row r at {@code cOff + r*ldc}; columns {@code [0, n)} are written
     * @param col0  the block's first column, for the bias
     * @param rOff  offset of the block's first element in the residual
     * @param addBias  false where the bias is already in the sums
     * @param activate false where the caller applies the activation (once over many blocks)
     */
    static void apply(
            float[] src,
            int srcOff,
            int srcLd,
            int rows,
            int n,
            float[] c,
            int cOff,
            int ldc,
            int col0,
            int rOff,
            Epilogue e,
            boolean addBias,
            boolean activate) {
        int lanes = S.length();
        int whole = n - n % lanes;
        float[] bias = addBias ? e.bias() : null;
        float[] residual = e.residual();
        boolean relu = e.relu();
        ActivationFunction f = activate ? e.activation() : null;
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * srcLd;
            int d = cOff + r * ldc;
            int res = rOff + r * e.residualStride();
            // Whole vectors unmasked: the sums were stored by the microkernel a moment ago, and a masked load
            // cannot take them from the store buffer; it waits for the stores to retire (this pass then cost a
            // quarter of a 64-deep 1x1 convolution's time instead of a few percent).
            for (int j = 0; j < whole; j += lanes) {
                FloatVector v = FloatVector.fromArray(S, src, s + j);
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(S, bias, col0 + j));
                }
                if (residual != null) {
                    v = v.add(FloatVector.fromArray(S, residual, res + j));
                }
                if (relu) {
                    v = v.blend(0f, v.compare(VectorOperators.LT, 0f));
                }
                v.intoArray(c, d + j);
            }
            if (whole < n) {
                VectorMask<Float> m = S.indexInRange(whole, n);
                FloatVector v = FloatVector.fromArray(S, src, s + whole, m);
                if (bias != null) {
                    v = v.add(FloatVector.fromArray(S, bias, col0 + whole, m));
                }
                if (residual != null) {
                    v = v.add(FloatVector.fromArray(S, residual, res + whole, m));
                }
                if (relu) {
                    v = v.blend(0f, v.compare(VectorOperators.LT, 0f));
                }
                v.intoArray(c, d + whole, m);
            }
            if (f != null) {
                // A second pass over the row just written (in L1): applied per vector above, the activation's
                // code would not inline and every vector would be boxed.
                ActivationVectors.apply(f, c, d, d + n, c);
            }
        }
    }
}
