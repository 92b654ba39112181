package io.vecnn.exec.reference;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.graph.Op;

/** Max, average and adaptive average pooling with PyTorch's window and divisor rules. */
final class ReferencePooling {
    private ReferencePooling() {}

    /** Padding is minus infinity: windows are clipped to the input, which shape inference guarantees they overlap. */
    static Tensor max(Op.MaxPool2d op, Tensor x, Shape out) {
        Tensor y = Tensor.zeros(x.batch(), out.height(), out.width(), out.channels());
        for (int b = 0; b < x.batch(); b++) {
            for (int oy = 0; oy < out.height(); oy++) {
                int y0 = Math.max(oy * op.strideH() - op.padH(), 0);
                int y1 = Math.min(oy * op.strideH() - op.padH() + op.kernelH(), x.height());
                for (int ox = 0; ox < out.width(); ox++) {
                    int x0 = Math.max(ox * op.strideW() - op.padW(), 0);
                    int x1 = Math.min(ox * op.strideW() - op.padW() + op.kernelW(), x.width());
                    for (int c = 0; c < x.channels(); c++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                float v = x.get(b, iy, ix, c);
                                // PyTorch propagates NaN through max pooling; once m is NaN no comparison replaces it.
                                if (v > m || Float.isNaN(v)) {
                                    m = v;
                                }
                            }
                        }
                        y.data()[y.index(b, oy, ox, c)] = m;
                    }
                }
            }
        }
        return y;
    }

    /**
     * PyTorch's divisor: with count_include_pad the window is clipped to the padded input (so a ceil-mode
     * window hanging past the padding counts only up to it); without, only to the real input.
     */
    static Tensor average(Op.AvgPool2d op, Tensor x, Shape out) {
        Tensor y = Tensor.zeros(x.batch(), out.height(), out.width(), out.channels());
        for (int b = 0; b < x.batch(); b++) {
            for (int oy = 0; oy < out.height(); oy++) {
                int padY0 = oy * op.strideH() - op.padH();
                int padY1 = Math.min(padY0 + op.kernelH(), x.height() + op.padH());
                int y0 = Math.max(padY0, 0);
                int y1 = Math.min(padY1, x.height());
                for (int ox = 0; ox < out.width(); ox++) {
                    int padX0 = ox * op.strideW() - op.padW();
                    int padX1 = Math.min(padX0 + op.kernelW(), x.width() + op.padW());
                    int x0 = Math.max(padX0, 0);
                    int x1 = Math.min(padX1, x.width());
                    int divisor = op.countIncludePad() ? (padY1 - padY0) * (padX1 - padX0) : (y1 - y0) * (x1 - x0);
                    for (int c = 0; c < x.channels(); c++) {
                        double sum = 0;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                sum += x.get(b, iy, ix, c);
                            }
                        }
                        y.data()[y.index(b, oy, ox, c)] = (float) (sum / divisor);
                    }
                }
            }
        }
        return y;
    }

    /** Bin i of n over a length L covers {@code [floor(i*L/n), ceil((i+1)*L/n))}, as in PyTorch. */
    static Tensor adaptiveAverage(Op.AdaptiveAvgPool2d op, Tensor x) {
        Tensor y = Tensor.zeros(x.batch(), op.outH(), op.outW(), x.channels());
        for (int b = 0; b < x.batch(); b++) {
            for (int oy = 0; oy < op.outH(); oy++) {
                int y0 = Math.floorDiv(oy * x.height(), op.outH());
                int y1 = -Math.floorDiv(-(oy + 1) * x.height(), op.outH());
                for (int ox = 0; ox < op.outW(); ox++) {
                    int x0 = Math.floorDiv(ox * x.width(), op.outW());
                    int x1 = -Math.floorDiv(-(ox + 1) * x.width(), op.outW());
                    for (int c = 0; c < x.channels(); c++) {
                        double sum = 0;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                sum += x.get(b, iy, ix, c);
                            }
                        }
                        y.data()[y.index(b, oy, ox, c)] = (float) (sum / ((y1 - y0) * (x1 - x0)));
                    }
                }
            }
        }
        return y;
    }
}
