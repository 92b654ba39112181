package io.vecnn;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TensorTest {

    @Test
    void nchwRoundTripKeepsEveryValueInPlace() {
        int n = 2, c = 3, h = 5, w = 7;
        float[] nchw = new float[n * c * h * w];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < nchw.length; i++) {
            nchw[i] = (float) random.nextDouble();
        }
        Tensor t = Tensor.fromNchw(nchw, n, c, h, w);
        assertEquals(nchw[((1 * c + 2) * h + 4) * w + 6], t.get(1, 4, 6, 2));
        assertEquals(nchw[((0 * c + 1) * h + 3) * w + 0], t.get(0, 3, 0, 1));
        assertArrayEquals(nchw, t.toNchw());

        Tensor reused = Tensor.zeros(n, h, w, c);
        reused.copyFromNchw(nchw);
        assertArrayEquals(t.data(), reused.data());
    }

    @Test
    void wrongLengthOrDimensionsAreRejectedWithTheShape() {
        VecnnException e = assertThrows(VecnnException.class, () -> new Tensor(1, 2, 2, 3, new float[11]));
        assertEquals("NHWC 1x2x2x3 needs 12 values, got 11", e.getMessage());
        assertThrows(VecnnException.class, () -> new Tensor(0, 2, 2, 3, new float[0]));
        assertThrows(VecnnException.class, () -> Tensor.fromNchw(new float[5], 1, 1, 2, 2));
        assertThrows(VecnnException.class, () -> Tensor.zeros(1, 2, 2, 1).copyFromNchw(new float[5]));
    }
}
