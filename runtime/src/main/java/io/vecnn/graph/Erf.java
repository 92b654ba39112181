package io.vecnn.graph;

/**
 * The error function in double precision, which {@link Math} lacks: its Maclaurin series below 3 (the
 * largest term there is about 170, so cancellation costs 3 of 16 digits) and the continued fraction of
 * erfc above, which converges fast once {@code |x| >= 3}.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final int FRACTION_TERMS = 60;

    private Erf() {}

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r = a < 3 ? series(a) : 1 - erfcFraction(a);
        return Math.copySign(r, x);
    }

    /** {@code 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))}, summed until the terms no longer count. */
    private static double series(double x) {
        double x2 = x * x;
        double power = x; // (-1)^n x^(2n+1) / n!
        double sum = x;
        for (int n = 1; n < 200; n++) {
            power *= -x2 / n;
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /** {@code erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))}, evaluated from the tail. */
    private static double erfcFraction(double x) {
        double f = x;
        for (int k = FRACTION_TERMS; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
