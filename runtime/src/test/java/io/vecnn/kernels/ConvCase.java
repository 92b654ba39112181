package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.ShapeInference;
import io.vecnn.graph.WeightTensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.vecnn.testing.RandomTensors.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A convolution test case for the fast kernels' tests: the op, its shapes, OHWI weights, bias (or null) and an
 * NHWC input, with the reference executor's result to compare against.
 */
record ConvCase(Op.Conv2d op, Shape in, Shape out, float[] w, float[] bias, Tensor x) {

    /**
     * A case for {@code op} on a {@code batch x h x w x inChannels} input, drawing weights, then bias (if the op
     * has one), then input from {@code r}, standard normal.
     */
    static ConvCase random(Op.Conv2d op, int inChannels, int h, int w, int batch, SplittableRandom r) {
        int[] weightShape = {op.outChannels(), op.kernelH(), op.kernelW(), inChannels / op.groups()};
        Shape in = new Shape(inChannels, h, w);
        Shape out = ShapeInference.outputShape(
                new Node("conv", op, List.of("x"), "y"),
                List.of(in),
                name -> name.equals("w") ? weightShape : new int[] {op.outChannels()});
        float[] weights = gaussian(r, weightShape[0] * weightShape[1] * weightShape[2] * weightShape[3]);
        float[] bias = op.bias() == null ? null : gaussian(r, op.outChannels());
        Tensor x = new Tensor(batch, h, w, inChannels, gaussian(r, batch * h * w * inChannels));
        return new ConvCase(op, in, out, weights, bias, x);
    }

    /** The reference twin's output for this case, without residual or ReLU. */
    Tensor reference() {
        Map<String, WeightTensor> weights = new HashMap<>();
        weights.put(
                "w",
                new WeightTensor(
                        new int[] {op.outChannels(), op.kernelH(), op.kernelW(), in.channels() / op.groups()}, w));
        if (bias != null) {
            weights.put("b", WeightTensor.vector(bias));
        }
        return ReferenceExecutor.apply(new Node("conv", op, List.of("x"), "y"), List.of(x), weights);
    }

    /**
     * Asserts {@code y} equals {@code relu(want + residual)} within {@code relative} × (1 + |expected|), scaled by
     * the square root of the values each output sums (rounding grows with the length of the dot product).
     */
    void assertMatches(Tensor want, float[] residual, boolean relu, float[] y, double relative) {
        double scale = Math.sqrt(op.kernelH() * op.kernelW() * in.channels());
        for (int i = 0; i < y.length; i++) {
            double v = want.data()[i] + (residual == null ? 0 : residual[i]);
            v = relu ? Math.max(v, 0) : v;
            assertEquals(v, y[i], relative * (1 + Math.abs(v)) * scale, op + " " + in + " at " + i);
        }
    }
}
