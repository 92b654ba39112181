package io.vecnn.graph;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Erf} against the integral that defines it, {@code 2/sqrt(pi) * integral of exp(-t^2) from 0 to x}. */
class ErfTest {
    @Test
    void equalsTheIntegralOfTheGaussian() {
        for (double x = -6; x <= 6; x += 0.137) {
            assertEquals(simpson(x), Erf.erf(x), 1e-12, "erf(" + x + ")");
        }
    }

    @Test
    void isOddAndSaturates() {
        assertEquals(0, Erf.erf(0));
        assertEquals(-Erf.erf(1.7), Erf.erf(-1.7));
        assertEquals(1, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1, Erf.erf(Double.NEGATIVE_INFINITY));
        assertEquals(Double.NaN, Erf.erf(Double.NaN));
    }

    /** Composite Simpson's rule with 20,000 intervals: error far below 1e-12 for this smooth integrand. */
    private static double simpson(double x) {
        int n = 20_000;
        double h = x / n;
        double sum = 1 + Math.exp(-x * x);
        for (int i = 1; i < n; i++) {
            double t = i * h;
            sum += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        return 2 / Math.sqrt(Math.PI) * sum * h / 3;
    }
}
