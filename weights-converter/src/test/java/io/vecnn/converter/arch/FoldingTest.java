package io.vecnn.converter.arch;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Op;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A BatchNorm folded into its convolution computes what the same BatchNorm kept as a separate op computes;
 * one that follows a pool (seed 001's CIFAR AlexNet order) is kept as an op.
 */
class FoldingTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(3);

    private static TorchTensor random(int... shape) {
        float[] d = new float[(int) TorchTensor.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) RANDOM.nextGaussian();
        }
        return new TorchTensor(DType.FLOAT32, shape, d);
    }

    private static StateDict convBn(int in, int out) {
        Map<String, TorchTensor> t = new LinkedHashMap<>();
        t.put("conv.weight", random(out, in, 3, 3));
        t.put("conv.bias", random(out));
        t.put("bn.weight", random(out));
        t.put("bn.bias", random(out));
        t.put("bn.running_mean", random(out));
        TorchTensor var = random(out);
        for (int i = 0; i < out; i++) {
            var.data()[i] = 0.5f + Math.abs(var.data()[i]);
        }
        t.put("bn.running_var", var);
        return new StateDict(t);
    }

    @Test
    void foldedConvolutionEqualsConvolutionFollowedByAffine() {
        StateDict sd = convBn(5, 7);
        Shape input = new Shape(5, 9, 8);
        NetworkBuilder folded = new NetworkBuilder(new StateDictSource(sd));
        Value x = folded.input(input);
        NetworkBuilder.Built a = folded.build(folded.batchNorm("bn", folded.conv2d("conv", x, 7, 3, 1, 1, true), 1e-3));

        NetworkBuilder unfolded = new NetworkBuilder(new StateDictSource(sd));
        Value y = unfolded.input(input);
        Value conv = unfolded.conv2d("conv", y, 7, 3, 1, 1, true);
        unfolded.relu("extra-reader", conv);
        NetworkBuilder.Built b = unfolded.build(unfolded.batchNorm("bn", conv, 1e-3));

        assertEquals(1, a.graph().nodes().size());
        assertTrue(b.graph().nodes().stream().anyMatch(n -> n.op() instanceof Op.ChannelAffine));
        Tensor in = Tensor.fromNchw(random(2, 5, 9, 8).data(), 2, 5, 9, 8);
        float[] fa = ReferenceExecutor.run(a.graph(), a.weights(), in).data();
        float[] fb = ReferenceExecutor.run(b.graph(), b.weights(), in).data();
        for (int i = 0; i < fa.length; i++) {
            assertEquals(fb[i], fa[i], 1e-4 * Math.max(1, Math.abs(fb[i])), "value " + i);
        }
    }

    @Test
    void batchNormAfterPoolIsKeptAsAffine() {
        StateDict sd = convBn(3, 4);
        NetworkBuilder nn = new NetworkBuilder(new StateDictSource(sd));
        Value x = nn.conv2d("conv", nn.input(new Shape(3, 8, 8)), 4, 3, 1, 1, true);
        x = nn.maxPool2d("pool", x, 2, 2, 0, false);
        NetworkBuilder.Built built = nn.build(nn.batchNorm("bn", x, 1e-5));
        assertEquals(
                new Op.Conv2d(4, 3, 3, 1, 1, 1, 1, 1, 1, 1, "conv.weight", "conv.bias"),
                built.graph().nodes().get(0).op());
        assertTrue(built.graph().nodes().get(2).op() instanceof Op.ChannelAffine);
    }
}
