package io.vecnn.kernels;

import io.vecnn.graph.ActivationFunction;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Every vectorised activation against its double-precision definition, over tails, offsets and edge values. */
class ActivationVectorsTest {
    private static final float[] EDGES = {
        Float.NaN,
        Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY,
        0f,
        -0f,
        3f,
        -3f,
        6f,
        -6f,
        88f,
        -88f,
        1e-30f,
        -1e-30f,
        20f,
        -20f,
        2.9999f,
        -3.0001f
    };

    @ParameterizedTest
    @EnumSource(ActivationFunction.class)
    void matchesTheDefinitionOnRandomValuesWithTails(ActivationFunction f) {
        SplittableRandom random = new SplittableRandom(f.ordinal());
        for (int n : new int[] {1, 7, VectorIsa.LANES, VectorIsa.LANES + 3, 5 * VectorIsa.LANES - 1, 1000}) {
            float[] x = RandomTensors.gaussian(random, n + 5, 5);
            float[] y = new float[n + 5];
            int from = 2;
            int to = n + 2;
            ActivationVectors.apply(f, x, from, to, y);
            for (int i = 0; i < y.length; i++) {
                if (i < from || i >= to) {
                    assertEquals(0f, y[i], "written outside [from, to) at " + i);
                } else {
                    assertClose(f, x[i], y[i]);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ActivationFunction.class)
    void matchesTheDefinitionOnEdgeValues(ActivationFunction f) {
        float[] y = new float[EDGES.length];
        ActivationVectors.apply(f, EDGES, 0, EDGES.length, y);
        for (int i = 0; i < EDGES.length; i++) {
            assertClose(f, EDGES[i], y[i]);
        }
    }

    private static void assertClose(ActivationFunction f, float x, float got) {
        double want = f.apply(x);
        if (Double.isNaN(want) || Double.isInfinite(want)) {
            assertEquals((float) want, got, f + "(" + x + ")");
            return;
        }
        // Exp and tanh intrinsics are within a few ulps; the erf behind GELU within 1.5e-7 absolute.
        double tolerance = 2e-6 * Math.max(1, Math.abs(want));
        if (!(Math.abs(got - want) <= tolerance)) {
            fail(f + "(" + x + ") = " + got + ", want " + want);
        }
    }
}
