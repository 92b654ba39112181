package io.vecnn.kernels;

import io.vecnn.graph.ActivationFunction;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GEMM kernels against a plain triple loop in double, on random sizes with row, column and K tails. */
class GemmTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(17);

    @RepeatedTest(60)
    void randomShapesWithEveryEpilogueMatchTheReference() {
        SplittableRandom r = SEEDS.split();
        int m = 1 + r.nextInt(40);
        int n = 1 + r.nextInt(2 * GemmMicroKernel6x4v.NR);
        int[] widths = {GemmMicroKernel12x1v.NR, GemmMicroKernel8x2v.NR, GemmMicroKernel6x4v.NR};
        int panelWidth = widths[r.nextInt(widths.length)];
        int k = 1 + r.nextInt(70);
        int lda = k + r.nextInt(3);
        int ldc = n + r.nextInt(3);
        float[] a = RandomTensors.gaussian(r, m * lda);
        float[] w = RandomTensors.gaussian(r, n * k);
        float[] bias = r.nextBoolean() ? RandomTensors.gaussian(r, n) : null;
        float[] residual = r.nextBoolean() ? RandomTensors.gaussian(r, m * ldc) : null;
        // Half the residuals are C itself, as when the output took the memory of a residual read the last time.
        boolean aliased = residual != null && r.nextBoolean();
        float[] residualValues = residual == null ? null : residual.clone();
        boolean relu = r.nextBoolean();
        ActivationFunction f =
                r.nextBoolean() ? null : ActivationFunction.values()[r.nextInt(ActivationFunction.values().length)];
        Epilogue e = new Epilogue(bias, residual, ldc, relu, f);
        PackedMatrix b = PackedMatrix.pack(w, 0, n, k, panelWidth);
        float[] c = aliased ? residual : new float[m * ldc];
        if (!aliased) {
            java.util.Arrays.fill(c, Float.NaN);
        }

        Gemm.block(a, 0, lda, m, b, 0, b.panels(), c, 0, ldc, 0, e);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < ldc; j++) {
                if (j >= n) {
                    float before = aliased ? residualValues[i * ldc + j] : Float.NaN;
                    assertEquals(before, c[i * ldc + j], "column " + j + " past n must stay untouched");
                    continue;
                }
                double want = 0;
                for (int kk = 0; kk < k; kk++) {
                    want += (double) a[i * lda + kk] * w[j * k + kk];
                }
                want += bias == null ? 0 : bias[j];
                want += residual == null ? 0 : residualValues[i * ldc + j];
                want = relu ? Math.max(want, 0) : want;
                want = f == null ? want : f.apply(want);
                assertEquals(
                        want,
                        c[i * ldc + j],
                        1e-4 * (1 + Math.abs(want)) * Math.sqrt(k),
                        f + (aliased ? " residual in C" : "") + " m=" + m + " n=" + n + " k=" + k + " panels of "
                                + panelWidth + " at " + i + "," + j);
            }
        }
    }

    /** K past one chunk of a deep panel (the chunked path): partial sums, a partial last chunk, tails, epilogue. */
    @Test
    void deepKIsChunkedAndStillMatchesTheReference() {
        SplittableRandom r = new SplittableRandom(11);
        for (int panelWidth : new int[] {GemmMicroKernel12x1v.NR, GemmMicroKernel8x2v.NR, GemmMicroKernel6x4v.NR}) {
            for (int variant = 0; variant < 4; variant++) {
                boolean biasOnly = variant == 1;
                // The third variant's residual is C itself: no partial sums may be kept in C then.
                boolean aliased = variant == 2;
                // The fourth applies an activation other than the ReLU after the last chunk.
                ActivationFunction activation = variant == 3 ? ActivationFunction.SILU : null;
                int m = 29;
                int n = 2 * panelWidth + 5;
                // Two whole chunks and a partial one, whatever the chunk depth for this panel width is.
                int k = 2 * Gemm.kChunk(panelWidth) + 309;
                float[] a = RandomTensors.gaussian(r, m * k);
                float[] w = RandomTensors.gaussian(r, n * k);
                float[] bias = RandomTensors.gaussian(r, n);
                float[] residual = biasOnly ? null : RandomTensors.gaussian(r, m * n);
                float[] residualValues = biasOnly ? null : residual.clone();
                Epilogue e = new Epilogue(bias, residual, n, !biasOnly && activation == null, activation);
                PackedMatrix b = PackedMatrix.pack(w, 0, n, k, panelWidth);
                float[] c = aliased ? residual : new float[m * n];
                Gemm.block(a, 0, k, m, b, 0, b.panels(), c, 0, n, 0, e);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double want = bias[j] + (biasOnly ? 0 : residualValues[i * n + j]);
                        for (int kk = 0; kk < k; kk++) {
                            want += (double) a[i * k + kk] * w[j * k + kk];
                        }
                        want = activation != null ? activation.apply(want) : biasOnly ? want : Math.max(want, 0);
                        assertEquals(
                                want,
                                c[i * n + j],
                                1e-4 * (1 + Math.abs(want)) * Math.sqrt(k),
                                "panels of " + panelWidth + ", bias only " + biasOnly + ", residual in C " + aliased
                                        + ", "
                                        + activation
                                        + " at " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void panelWidthTakesTwoVectorsOnlyWhereFourWouldPadMoreThanTheirSpeedGains() {
        int v = VectorIsa.LANES;
        int four = GemmMicroKernel6x4v.NR;
        int two = GemmMicroKernel8x2v.NR;
        // At most one vector of outputs: one-vector panels, 12 rows per call, whatever the register file.
        for (int n : new int[] {1, v - 1, v}) {
            assertEquals(v, Gemm.panelWidthFor(n), "n=" + n);
        }
        assertEquals(12, Gemm.rowsPerCall(v));
        if (!VectorIsa.wideRegisterFile()) {
            // 16 registers: 4-vector panels would spill, every wider output takes 2 vectors, 6 rows per call.
            for (int n : new int[] {v + 1, 2 * v, 3 * v, 4 * v, 6 * v, 16 * v, 1000}) {
                assertEquals(two, Gemm.panelWidthFor(n), "n=" + n);
            }
            assertEquals(6, Gemm.rowsPerCall(two));
            return;
        }
        assertEquals(6, Gemm.rowsPerCall(four));
        assertEquals(8, Gemm.rowsPerCall(two));
        // Both fit exactly: the faster 4-vector kernel.
        assertEquals(four, Gemm.panelWidthFor(4 * v));
        assertEquals(four, Gemm.panelWidthFor(12 * v));
        assertEquals(four, Gemm.panelWidthFor(16 * v));
        // Equal padding (3 vectors, or 1000 columns in 1024): 4 vectors.
        assertEquals(four, Gemm.panelWidthFor(3 * v));
        assertEquals(four, Gemm.panelWidthFor(1000));
        // 4-vector panels would pad by a third, a fifth, a seventh, or a whole panel: 2 vectors.
        assertEquals(two, Gemm.panelWidthFor(6 * v));
        assertEquals(two, Gemm.panelWidthFor(10 * v));
        assertEquals(two, Gemm.panelWidthFor(14 * v));
        assertEquals(two, Gemm.panelWidthFor(2 * v));
        assertEquals(two, Gemm.panelWidthFor(v + 2));
        // A twenty-ninth (58 vectors in 60): not worth the slower kernel.
        assertEquals(four, Gemm.panelWidthFor(58 * v));
    }

    @Test
    void rowsPerCallRejectsPanelsNoMicrokernelTakes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Gemm.rowsPerCall(3 * VectorIsa.LANES));
        assertTrue(e.getMessage().contains("panels of " + 3 * VectorIsa.LANES + " columns"), e.getMessage());
    }

    @Test
    void splittingPanelsAndRowsGivesBitIdenticalResults() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 37;
        int n = 2 * GemmMicroKernel8x2v.NR + 5;
        int k = 29;
        float[] a = RandomTensors.gaussian(r, m * k);
        PackedMatrix b = PackedMatrix.pack(RandomTensors.gaussian(r, n * k), 0, n, k, GemmMicroKernel8x2v.NR);
        float[] whole = new float[m * n];
        Gemm.block(a, 0, k, m, b, 0, b.panels(), whole, 0, n, 0, Epilogue.NONE);
        float[] split = new float[m * n];
        Gemm.block(a, 0, k, 16, b, 0, 1, split, 0, n, 0, Epilogue.NONE);
        Gemm.block(a, 0, k, 16, b, 1, b.panels(), split, 0, n, 0, Epilogue.NONE);
        Gemm.block(a, 16 * k, k, m - 16, b, 0, b.panels(), split, 16 * n, n, 0, Epilogue.NONE);
        org.junit.jupiter.api.Assertions.assertArrayEquals(whole, split);
    }
}
