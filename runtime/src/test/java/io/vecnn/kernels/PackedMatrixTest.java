package io.vecnn.kernels;

import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Packing in place, packing several matrices into one array and unpacking are each exact. */
class PackedMatrixTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(3);
    private static final int NR = GemmMicroKernel6x4v.NR;

    /** The packed layout by its definition: panel p, row kk, lane j holds W[p·NR + j][kk], zero past n. */
    private static float[] packedByDefinition(float[] w, int n, int k) {
        int panels = (n + NR - 1) / NR;
        float[] packed = new float[panels * k * NR];
        for (int p = 0; p < panels; p++) {
            for (int kk = 0; kk < k; kk++) {
                for (int j = 0; j < NR && p * NR + j < n; j++) {
                    packed[(p * k + kk) * NR + j] = w[(p * NR + j) * k + kk];
                }
            }
        }
        return packed;
    }

    @Test
    void packingInPlaceGivesThePackedLayoutInTheSameArray() {
        int n = 3 * NR;
        int k = 37;
        float[] w = RandomTensors.gaussian(RANDOM, n * k);
        float[] original = w.clone();
        PackedMatrix packed = PackedMatrix.packInPlace(w, n, k, NR);
        assertSame(w, packed.data());
        assertArrayEquals(packedByDefinition(original, n, k), w);
        float[] back = new float[n * k];
        packed.unpackInto(back, 0);
        assertArrayEquals(original, back);
    }

    @Test
    void aMatrixWithAPartialPanelIsCopiedAndItsSourceLeftAlone() {
        int n = 2 * NR + 5;
        int k = 11;
        float[] w = RandomTensors.gaussian(RANDOM, n * k);
        float[] original = w.clone();
        PackedMatrix packed = PackedMatrix.packInPlace(w, n, k, NR);
        assertNotSame(w, packed.data());
        assertArrayEquals(original, w);
        assertArrayEquals(packedByDefinition(original, n, k), packed.data());
    }

    @Test
    void matricesPackedTogetherShareOneArrayAndUnpackExactly() {
        int n = NR + 7;
        int k = 9;
        int count = 5;
        float[] w = RandomTensors.gaussian(RANDOM, count * n * k);
        PackedMatrix[] all = PackedMatrix.packAll(w, count, n, k, NR);
        for (int i = 0; i < count; i++) {
            assertSame(all[0].data(), all[i].data());
            PackedMatrix alone = PackedMatrix.pack(w, i * n * k, n, k, NR);
            int size = alone.data().length;
            assertEquals(i * size, all[i].offset());
            assertArrayEquals(alone.data(), Arrays.copyOfRange(all[i].data(), all[i].offset(), all[i].offset() + size));
            float[] back = new float[n * k];
            all[i].unpackInto(back, 0);
            assertArrayEquals(Arrays.copyOfRange(w, i * n * k, (i + 1) * n * k), back);
        }
    }
}
