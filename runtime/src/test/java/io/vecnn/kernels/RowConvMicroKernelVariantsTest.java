package io.vecnn.kernels;

import io.vecnn.kernels.generator.MicroKernelGenerator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.vecnn.testing.RandomTensors.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every row-vector convolution microkernel variant, called directly, against a scalar reference that sums each
 * element with {@link Math#fma} in tap order, as the kernels do: bit-identical, on whatever register file this JVM
 * has. Cases: no taps and one, any number of taps at offsets in any order (windows overlap, as neighbouring taps
 * do), the window at an offset, weights and starting values at offsets; the kernel writes its CHANNELS × PIXELS
 * block and nothing after it.
 */
class RowConvMicroKernelVariantsTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(2207);

    @FunctionalInterface
    interface Kernel {
        void run(
                float[] a,
                int row,
                int[] tapOffset,
                int taps,
                float[] w,
                int wOff,
                float[] init,
                int initOff,
                float[] d);
    }

    record Variant(String name, int channels, int pixels, Kernel kernel) {}

    static final List<Variant> VARIANTS = List.of(new Variant(
            "RowConvMicroKernel6x2v",
            RowConvMicroKernel6x2v.CHANNELS,
            RowConvMicroKernel6x2v.PIXELS,
            RowConvMicroKernel6x2v::run));

    @Test
    void everyGeneratedVariantIsTested() {
        List<String> generated = MicroKernelGenerator.VARIANTS.stream()
                .filter(v -> v.family().equals("RowConvMicroKernel"))
                .map(MicroKernelGenerator.Variant::className)
                .sorted()
                .toList();
        assertEquals(generated, VARIANTS.stream().map(Variant::name).sorted().toList());
    }

    @Test
    void noTapsAndOne() {
        SplittableRandom r = SEEDS.split();
        for (Variant v : VARIANTS) {
            check(v, r, 0);
            check(v, r, 1);
        }
    }

    @RepeatedTest(30)
    void randomTapsOffsetsAndWindows() {
        SplittableRandom r = SEEDS.split();
        for (Variant v : VARIANTS) {
            check(v, r, 1 + r.nextInt(150));
        }
    }

    private static void check(Variant v, SplittableRandom r, int taps) {
        int span = 1 + r.nextInt(200);
        int row = r.nextInt(13);
        float[] a = gaussian(r, row + span + v.pixels());
        int[] tapOffset = new int[taps];
        for (int t = 0; t < taps; t++) {
            tapOffset[t] = r.nextInt(span);
        }
        int wOff = r.nextInt(7);
        float[] w = gaussian(r, wOff + taps * v.channels());
        int initOff = r.nextInt(5);
        float[] init = gaussian(r, initOff + v.channels());
        float sentinel = -3.5f;
        float[] d = new float[v.channels() * v.pixels() + 5];
        Arrays.fill(d, sentinel);

        v.kernel().run(a, row, tapOffset, taps, w, wOff, init, initOff, d);

        MicroKernelBlock.assertWritten(
                d,
                0,
                v.pixels(),
                v.channels(),
                v.pixels(),
                sentinel,
                (channel, pixel) -> {
                    float want = init[initOff + channel];
                    for (int t = 0; t < taps; t++) {
                        want = Math.fma(a[row + tapOffset[t] + pixel], w[wOff + t * v.channels() + channel], want);
                    }
                    return want;
                },
                v.name() + " taps=" + taps + " row=" + row);
    }
}
