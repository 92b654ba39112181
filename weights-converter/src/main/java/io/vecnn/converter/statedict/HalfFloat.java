package io.vecnn.converter.statedict;

/** IEEE 754 binary16 to float32 (Java 17 has no Float.float16ToFloat); every half is exactly a float. */
public final class HalfFloat {

    private HalfFloat() {}

    public static float toFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | mantissa << 13);
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa · 2^-24, which float32 represents exactly.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        // Rebias the exponent from 15 to 127.
        return Float.intBitsToFloat(sign | (exponent + 112) << 23 | mantissa << 13);
    }
}
