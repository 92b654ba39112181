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
        return of(v, DIVISOR);
    }

    /** {@code _make_divisible(v, divisor)}: RegNet rounds its bottleneck widths to its group widths. */
    static int of(double v, int divisor) {
        int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }
}
