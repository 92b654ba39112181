package io.vecnn.exec.reference;

import io.vecnn.Tensor;
import io.vecnn.graph.Op;

/** Fully connected layer over flattened (1×1×in) inputs, summed in double. */
final class ReferenceLinear {
    private ReferenceLinear() {}

    static Tensor apply(Op.Linear op, Tensor x, float[] weight, float[] bias) {
        int in = x.channels();
        Tensor y = Tensor.zeros(x.batch(), 1, 1, op.outFeatures());
        for (int b = 0; b < x.batch(); b++) {
            for (int o = 0; o < op.outFeatures(); o++) {
                double sum = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) {
                    sum += (double) x.data()[b * in + i] * weight[o * in + i];
                }
                y.data()[b * op.outFeatures() + o] = (float) sum;
            }
        }
        return y;
    }
}
