package io.vecnn.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Ops over each pixel's channel vector, contiguous in NHWC: layer normalisation (vectorised along the channels),
 * ShuffleNet's channel shuffle and a channel slice (copies).
 */
public final class ChannelsNhwc {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private ChannelsNhwc() {}

    /**
     * Layer normalisation of pixels {@code [fromPixel, toPixel)} of {@code channels} channels: the mean first, then
     * the biased variance from the deviations (two passes over values already in cache, so no cancellation as in
     * {@code E[x²] - E[x]²}), then {@code (x - mean) / sqrt(var + eps) * weight + bias}, centred on the mean
     * corrected by the second pass. Sums are kept per lane and reduced once per pixel.
     */
    public static void layerNorm(
            float[] x, float[] weight, float[] bias, double eps, int channels, int fromPixel, int toPixel, float[] y) {
        int lanes = S.length();
        int whole = channels - channels % lanes;
        for (int p = fromPixel; p < toPixel; p++) {
            int base = p * channels;
            FloatVector acc = FloatVector.zero(S);
            for (int c = 0; c < whole; c += lanes) {
                acc = acc.add(FloatVector.fromArray(S, x, base + c));
            }
            float sum = acc.reduceLanes(VectorOperators.ADD);
            for (int c = whole; c < channels; c++) {
                sum += x[base + c];
            }
            float mean = sum / channels;
            // The second pass also sums the deviations: their mean is the float mean's rounding error, which
            // corrects both the variance (Chan, Golub and LeVeque's corrected two-pass formula) and the centring.
            FloatVector m = FloatVector.broadcast(S, mean);
            FloatVector dev = FloatVector.zero(S);
            FloatVector sq = FloatVector.zero(S);
            for (int c = 0; c < whole; c += lanes) {
                FloatVector d = FloatVector.fromArray(S, x, base + c).sub(m);
                dev = dev.add(d);
                sq = d.fma(d, sq);
            }
            float deviations = dev.reduceLanes(VectorOperators.ADD);
            float squares = sq.reduceLanes(VectorOperators.ADD);
            for (int c = whole; c < channels; c++) {
                float d = x[base + c] - mean;
                deviations += d;
                squares += d * d;
            }
            float correction = deviations / channels;
            double variance = Math.max(0, ((double) squares - (double) deviations * correction) / channels);
            float inv = (float) (1 / Math.sqrt(variance + eps));
            FloatVector shift = FloatVector.broadcast(S, correction);
            FloatVector scale = FloatVector.broadcast(S, inv);
            for (int c = 0; c < channels; c += lanes) {
                VectorMask<Float> mask = S.indexInRange(c, channels);
                FloatVector.fromArray(S, x, base + c, mask)
                        .sub(m)
                        .sub(shift)
                        .mul(scale)
                        .fma(FloatVector.fromArray(S, weight, c, mask), FloatVector.fromArray(S, bias, c, mask))
                        .intoArray(y, base + c, mask);
            }
        }
    }

    /**
     * ShuffleNet's channel shuffle of pixels {@code [fromPixel, toPixel)}: output channel {@code k * groups + g} is
     * input channel {@code g * (channels / groups) + k}. Reads run along the input; each group's values land
     * {@code groups} apart. A permutation only moves data, so it is left scalar.
     */
    public static void channelShuffle(float[] x, int channels, int groups, int fromPixel, int toPixel, float[] y) {
        int perGroup = channels / groups;
        for (int p = fromPixel; p < toPixel; p++) {
            int base = p * channels;
            if (groups == 2) {
                for (int k = 0; k < perGroup; k++) {
                    y[base + 2 * k] = x[base + k];
                    y[base + 2 * k + 1] = x[base + perGroup + k];
                }
            } else {
                for (int g = 0; g < groups; g++) {
                    int from = base + g * perGroup;
                    for (int k = 0; k < perGroup; k++) {
                        y[base + k * groups + g] = x[from + k];
                    }
                }
            }
        }
    }

    /** Channels {@code [start, end)} of pixels {@code [fromPixel, toPixel)} of an input of {@code channels}. */
    public static void channelSlice(
            float[] x, int channels, int start, int end, int fromPixel, int toPixel, float[] y) {
        int width = end - start;
        for (int p = fromPixel; p < toPixel; p++) {
            System.arraycopy(x, p * channels + start, y, p * width, width);
        }
    }
}
