// Generated from src/main/kernel-templates/ImplicitConvMicroKernel.java.in by MicroKernelGenerator: edit the template.
package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * C[6 × 1V] = A[6 × K] · B[K × 1V] with A(r, k) = {@code a[rowStart[r] + kOffset[k]]}: the
 * GEMM microkernel's product with A read straight from a zero-padded NHWC input instead of an im2col copy
 * (an indirect GEMM). Output pixel r's window starts at {@code rowStart[r]}, tap k lies {@code kOffset[k]}
 * further on, the same for every pixel; B is one packed panel whose K runs over (ky, kx, c), the OHWI order.
 * The loop keeps 6 accumulators, 1 B vectors and 1 broadcast live: 8 vector registers.
 * For stems of at most one vector of channels (LeNet-5's 6): wider panels would multiply
 * mostly zero columns.
 *
 * <p>K is one flat loop on purpose: as a loop over kernel rows around a 21-tap inner loop, C2 unrolled the
 * inner loop and spilled the accumulators between its copies.
 */
public final class ImplicitConvMicroKernel6x1v {
    public static final VectorSpecies<Float> SPECIES = VectorIsa.SPECIES;
    public static final int MR = 6;
    public static final int V = SPECIES.length();
    public static final int NR = 1 * V;
    /** Vector registers the loop keeps live. */
    public static final int REGISTERS = 8;

    private ImplicitConvMicroKernel6x1v() {
    }

    /**
     * Writes the sums, each started from its column's value in {@code init} (the bias, or zeros), clamped at zero
     * if {@code relu}, in registers: a second pass over the stored sums cost the 27-deep 3x3 stem a sixth of its
     * time. The caller applies the rest of the epilogue.
     *
     * @param a        the padded input
     * @param rowStart where each of the MR pixels' windows starts in {@code a}
     * @param kOffset  for each of the {@code k} taps (ky, kx, c), its offset from a window's start
     * @param b        the packed panel, {@code k × NR} values from {@code bOff}
     * @param init     {@code NR} starting values from {@code initOff}, the same for every row
     * @param d        destination, row r at {@code dOff + r*ldd}, {@code NR} values each
     */
    public static void run(float[] a, int[] rowStart, int[] kOffset, int k, float[] b, int bOff, float[] init,
                           int initOff, float[] d, int dOff, int ldd, boolean relu) {
        FloatVector i0 = FloatVector.fromArray(SPECIES, init, initOff + 0 * V);
        FloatVector c00 = i0;
        FloatVector c10 = i0;
        FloatVector c20 = i0;
        FloatVector c30 = i0;
        FloatVector c40 = i0;
        FloatVector c50 = i0;
        int a0 = rowStart[0];
        int a1 = rowStart[1];
        int a2 = rowStart[2];
        int a3 = rowStart[3];
        int a4 = rowStart[4];
        int a5 = rowStart[5];
        int bi = bOff;
        for (int kk = 0; kk < k; kk++, bi += NR) {
            int j = kOffset[kk];
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi + 0 * V);
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + j]);
            c00 = x0.fma(b0, c00);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + j]);
            c10 = x1.fma(b0, c10);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + j]);
            c20 = x2.fma(b0, c20);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + j]);
            c30 = x3.fma(b0, c30);
            FloatVector x4 = FloatVector.broadcast(SPECIES, a[a4 + j]);
            c40 = x4.fma(b0, c40);
            FloatVector x5 = FloatVector.broadcast(SPECIES, a[a5 + j]);
            c50 = x5.fma(b0, c50);
        }
        if (relu) {
            c00 = c00.blend(0f, c00.compare(VectorOperators.LT, 0f));
            c10 = c10.blend(0f, c10.compare(VectorOperators.LT, 0f));
            c20 = c20.blend(0f, c20.compare(VectorOperators.LT, 0f));
            c30 = c30.blend(0f, c30.compare(VectorOperators.LT, 0f));
            c40 = c40.blend(0f, c40.compare(VectorOperators.LT, 0f));
            c50 = c50.blend(0f, c50.compare(VectorOperators.LT, 0f));
        }
        c00.intoArray(d, dOff + 0 * ldd + 0 * V);
        c10.intoArray(d, dOff + 1 * ldd + 0 * V);
        c20.intoArray(d, dOff + 2 * ldd + 0 * V);
        c30.intoArray(d, dOff + 3 * ldd + 0 * V);
        c40.intoArray(d, dOff + 4 * ldd + 0 * V);
        c50.intoArray(d, dOff + 5 * ldd + 0 * V);
    }
}
