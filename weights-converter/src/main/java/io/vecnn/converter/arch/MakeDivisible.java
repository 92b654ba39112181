package io.vecnn.converter.arch;

/**
 * torchvision's {@code _make_divisible(v, 8)}, by which its mobile networks round every width: the nearest
 * multiple of 8, at least 8, and never more than 10 % below {@code v}. Converting takes widths from the file;
 * this gives the nominal ones that synthesised weights must have for PyTorch to load them.
 */
final class MakeDivisible {
    private static final int DIVISOR = 8;

    private MakeDivisible() {}

    static int of(double v) {
        int rounded = Math.max(DIVISOR, (int) (v + DIVISOR / 2.0) / DIVISOR * DIVISOR);
        return rounded < 0.9 * v ? rounded + DIVISOR : rounded;
    }
}
