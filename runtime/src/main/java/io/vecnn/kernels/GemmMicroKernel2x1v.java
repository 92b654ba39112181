// Generated from src/main/kernel-templates/GemmMicroKernel.java.in by MicroKernelGenerator: edit the template.
package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[2 × 1V] = A[2 × K] · B[K × 1V], V = the preferred vector width ({@link VectorIsa#LANES}).
 * The loop keeps 2 accumulators, 1 B vectors and 1 broadcast live: 4 vector registers.
 * The row tail of the 12x1V kernel after the 4-row calls.
 *
 * <p>A is read row by row (stride {@code lda}), B from one packed panel ({@link PackedMatrix}). Each
 * accumulator starts from its column's initial value and sums over k in order, the same order in every
 * variant, so a row gives the same bits whichever variant computes it.
 */
public final class GemmMicroKernel2x1v {
    public static final VectorSpecies<Float> SPECIES = VectorIsa.SPECIES;
    public static final int MR = 2;
    public static final int V = SPECIES.length();
    public static final int NR = 1 * V;
    /** Vector registers the loop keeps live. */
    public static final int REGISTERS = 4;

    private GemmMicroKernel2x1v() {
    }

    /**
     * Writes the sums, each started from its column's value in {@code init} (the bias, or zeros), plus the
     * residual if there is one, clamped at zero if {@code relu}; the caller applies any other activation. The
     * residual and the ReLU are applied in registers: through a tile and a second pass, each vector was stored,
     * loaded back and stored again, which cost a 64-deep 1x1 convolution a tenth of its time. The residual may
     * be {@code d} itself at the same offsets (each element is read before it is written). Every vector stays a
     * local of this one method: handing vectors to a call C2 does not inline would box them, which costs more
     * than the GEMM.
     *
     * @param a      A, rows {@code aOff + r*lda}, r in [0, MR)
     * @param b      the packed panel, {@code k × NR} values from {@code bOff}
     * @param init   {@code NR} starting values from {@code initOff}, the same for every row
     * @param d      destination, row r at {@code dOff + r*ldd}, {@code NR} values each
     * @param res    added to the sums, row r at {@code resOff + r*ldr}, or null
     */
    public static void run(
            float[] a, int aOff, int lda, float[] b, int bOff, int k, float[] init, int initOff, float[] d, int dOff,
            int ldd, float[] res, int resOff, int ldr, boolean relu) {
        FloatVector i0 = FloatVector.fromArray(SPECIES, init, initOff + 0 * V);
        FloatVector c00 = i0;
        FloatVector c10 = i0;
        int a0 = aOff + 0 * lda;
        int a1 = aOff + 1 * lda;
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * V);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + kk]);
            c00 = x0.fma(b0, c00);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + kk]);
            c10 = x1.fma(b0, c10);
        }
        if (res != null) {
            c00 = c00.add(FloatVector.fromArray(SPECIES, res, resOff + 0 * ldr + 0 * V));
            c10 = c10.add(FloatVector.fromArray(SPECIES, res, resOff + 1 * ldr + 0 * V));
        }
        if (relu) {
            c00 = c00.blend(0f, c00.compare(VectorOperators.LT, 0f));
            c10 = c10.blend(0f, c10.compare(VectorOperators.LT, 0f));
        }
        c00.intoArray(d, dOff + 0 * ldd + 0 * V);
        c10.intoArray(d, dOff + 1 * ldd + 0 * V);
    }
}
