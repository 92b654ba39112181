package io.vecnn.exec.reference;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.graph.Op;

/** Direct convolution, one output value at a time, summed in double: the oracle for every fast convolution. */
final class ReferenceConv2d {
    private ReferenceConv2d() {}

    static Tensor apply(Op.Conv2d op, Tensor x, float[] weight, float[] bias, Shape out) {
        int inC = x.channels();
        int groupIn = inC / op.groups();
        int groupOut = op.outChannels() / op.groups();
        Tensor y = Tensor.zeros(x.batch(), out.height(), out.width(), out.channels());
        float[] yd = y.data();
        float[] xd = x.data();
        for (int b = 0; b < x.batch(); b++) {
            for (int oy = 0; oy < out.height(); oy++) {
                for (int ox = 0; ox < out.width(); ox++) {
                    for (int o = 0; o < op.outChannels(); o++) {
                        int firstIn = (o / groupOut) * groupIn;
                        double sum = bias == null ? 0 : bias[o];
                        for (int ky = 0; ky < op.kernelH(); ky++) {
                            int iy = oy * op.strideH() - op.padH() + ky * op.dilationH();
                            if (iy < 0 || iy >= x.height()) {
                                continue;
                            }
                            for (int kx = 0; kx < op.kernelW(); kx++) {
                                int ix = ox * op.strideW() - op.padW() + kx * op.dilationW();
                                if (ix < 0 || ix >= x.width()) {
                                    continue;
                                }
                                int xi = x.index(b, iy, ix, firstIn);
                                int wi = ((o * op.kernelH() + ky) * op.kernelW() + kx) * groupIn;
                                for (int i = 0; i < groupIn; i++) {
                                    sum += (double) xd[xi + i] * weight[wi + i];
                                }
                            }
                        }
                        yd[y.index(b, oy, ox, o)] = (float) sum;
                    }
                }
            }
        }
        return y;
    }
}
