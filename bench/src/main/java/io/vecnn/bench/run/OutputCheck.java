package io.vecnn.bench.run;

/** How far an engine's output is from VecNN's: max |a − b| over max |b|, the measure the conformance and engine tests use. */
public final class OutputCheck {
    private OutputCheck() {}

    /** Infinite when the lengths differ or NaN stands where the other has a number. */
    public static double maxRelativeDifference(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            return Double.POSITIVE_INFINITY;
        }
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(actual[i]) != Float.isNaN(expected[i])) {
                return Double.POSITIVE_INFINITY;
            }
            diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
