package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.graph.Op;

/**
 * Where one output row of a direct convolution reads the input: the first input row of its window, the kernel
 * rows that fall inside the map, and the output columns whose whole window lies inside it (the interior, where
 * the direct kernels run several pixels at a time without checking the padding).
 *
 * @param iy0    input row of kernel row 0 (negative in the top padding)
 * @param kyFrom first kernel row inside the map
 * @param kyTo   one past the last kernel row inside the map
 * @param oxFrom first interior output column
 * @param oxTo   one past the last interior output column
 */
record ConvRowWindow(int iy0, int kyFrom, int kyTo, int oxFrom, int oxTo) {

    static ConvRowWindow of(Op.Conv2d op, Shape in, Shape out, int oy) {
        int h = in.height();
        int w = in.width();
        int ow = out.width();
        int sw = op.strideW();
        int pw = op.padW();
        int dh = op.dilationH();
        int iy0 = oy * op.strideH() - op.padH();
        int kyFrom = iy0 >= 0 ? 0 : (-iy0 + dh - 1) / dh;
        int kyTo = Math.min(op.kernelH(), iy0 > h - 1 ? 0 : (h - 1 - iy0) / dh + 1);
        int reach = (op.kernelW() - 1) * op.dilationW();
        int oxFrom = Math.min(ow, (pw + sw - 1) / sw);
        int oxTo = w - 1 - reach + pw < 0 ? 0 : Math.max(oxFrom, Math.min(ow, (w - 1 - reach + pw) / sw + 1));
        return new ConvRowWindow(iy0, kyFrom, kyTo, oxFrom, oxTo);
    }
}
