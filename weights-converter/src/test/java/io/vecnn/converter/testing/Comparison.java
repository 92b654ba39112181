package io.vecnn.converter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VecNN's output against PyTorch's: max |ours − torch| relative to max |torch|, the measure. */
public record Comparison(double maxAbsDiff, double maxAbsExpected) {
    /** The bound the tests hold every network to. */
    public static final double TOLERANCE = 1e-4;

    public static Comparison of(float[] actual, float[] expected) {
        assertEquals(expected.length, actual.length, "output length");
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
            assertTrue(Float.isFinite(actual[i]), "output " + i + " is " + actual[i]);
        }
        return new Comparison(diff, scale);
    }

    public double relative() {
        return maxAbsDiff / maxAbsExpected;
    }

    public void assertWithinTolerance(String what) {
        assertTrue(maxAbsExpected > 0, what + ": PyTorch's output is all zeros, the comparison would prove nothing");
        assertTrue(
                relative() <= TOLERANCE,
                String.format(
                        "%s: max |ours - torch| = %.3g, %.3g of max |torch| %.3g (limit %.0e)",
                        what, maxAbsDiff, relative(), maxAbsExpected, TOLERANCE));
    }

    @Override
    public String toString() {
        return String.format(
                "max |ours - torch| %.3g = %.3g of max |torch| %.4g", maxAbsDiff, relative(), maxAbsExpected);
    }
}
