package io.vecnn.bench.engines;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.vecnn.Shape;
import io.vecnn.converter.fold.FlattenPermutation;
import io.vecnn.converter.fold.WeightLayout;
import io.vecnn.graph.ActivationFunction;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;

import java.util.Map;

/**
 * Turns VecNN ops into libtorch calls, one native op each where libtorch has it, with the op's weights
 * re-laid out to PyTorch's layouts and uploaded once into the network's manager.
 */
final class TorchLayers {
    private static final long CHANNEL_AXIS = 1;

    private final Map<String, WeightTensor> weights;
    private final NDManager manager;

    TorchLayers(Map<String, WeightTensor> weights, NDManager manager) {
        this.weights = weights;
        this.manager = manager;
    }

    TorchOp conv(Op.Conv2d c, int inChannels) {
        int in = inChannels / c.groups();
        float[] oihw = WeightLayout.ohwiToOihw(weights.get(c.weight())).data();
        PtNDArray w = upload(oihw, c.outChannels(), in, c.kernelH(), c.kernelW());
        PtNDArray b = c.bias() == null ? null : upload(weight(c.bias()), c.outChannels());
        ai.djl.ndarray.types.Shape stride = pair(c.strideH(), c.strideW());
        ai.djl.ndarray.types.Shape padding = pair(c.padH(), c.padW());
        ai.djl.ndarray.types.Shape dilation = pair(c.dilationH(), c.dilationW());
        int groups = c.groups();
        return x -> JniUtils.convolution(x[0], w, b, stride, padding, dilation, groups);
    }

    /**
     * @param flattened the map whose NHWC flatten order the input's features are in (VecNN's order, so the
     *                  vectors are permuted to torch.flatten's), or null when the input is a map
     */
    TorchOp channelAffine(Op.ChannelAffine a, int channels, Shape flattened) {
        float[] scale = weight(a.scale());
        float[] shift = weight(a.shift());
        if (flattened != null) {
            scale = FlattenPermutation.nhwcToNchwColumns(scale, 1, flattened);
            shift = FlattenPermutation.nhwcToNchwColumns(shift, 1, flattened);
        }
        PtNDArray s = upload(scale, channels, 1, 1);
        PtNDArray t = upload(shift, channels, 1, 1);
        return x -> {
            PtNDArray scaled = JniUtils.mul(x[0], s);
            PtNDArray shifted = JniUtils.add(scaled, t);
            scaled.close();
            return shifted;
        };
    }

    TorchOp relu() {
        return x -> JniUtils.relu(x[0]);
    }

    /** libtorch's own op where DJL binds one; the rest as PyTorch's functional forms define them. */
    TorchOp activation(ActivationFunction f) {
        switch (f) {
            case RELU6:
                return x -> x[0].clip(0, 6);
            case SIGMOID:
                return x -> JniUtils.sigmoid(x[0]);
            case TANH:
                return x -> JniUtils.tanh(x[0]);
            case GELU:
                return x -> JniUtils.gelu(x[0]);
            case SILU:
                return x -> {
                    PtNDArray gate = JniUtils.sigmoid(x[0]);
                    PtNDArray y = JniUtils.mul(x[0], gate);
                    gate.close();
                    return y;
                };
            case HARDSIGMOID:
                return x -> hardSigmoid(x[0]);
            case HARDSWISH:
                return x -> {
                    PtNDArray gate = hardSigmoid(x[0]);
                    PtNDArray y = JniUtils.mul(x[0], gate);
                    gate.close();
                    return y;
                };
            default:
                throw new IllegalArgumentException("no libtorch call for " + f.kind());
        }
    }

    private static PtNDArray hardSigmoid(PtNDArray x) {
        PtNDArray shifted = x.add(3);
        PtNDArray clipped = shifted.clip(0, 6);
        shifted.close();
        PtNDArray y = clipped.div(6);
        clipped.close();
        return y;
    }

    TorchOp maxPool(Op.MaxPool2d p) {
        ai.djl.ndarray.types.Shape kernel = pair(p.kernelH(), p.kernelW());
        ai.djl.ndarray.types.Shape stride = pair(p.strideH(), p.strideW());
        ai.djl.ndarray.types.Shape padding = pair(p.padH(), p.padW());
        boolean ceil = p.ceilMode();
        return x -> JniUtils.maxPool(x[0], kernel, stride, padding, ceil);
    }

    /**
     * DJL's avg_pool2d binding drops its count_include_pad argument, so libtorch always divides by the
     * window including padding. Where the op excludes padding, the result is rescaled by a map computed
     * here once: per output pixel, the divisor libtorch used over the one PyTorch would use.
     */
    TorchOp avgPool(Op.AvgPool2d p, Shape in, Shape out) {
        ai.djl.ndarray.types.Shape kernel = pair(p.kernelH(), p.kernelW());
        ai.djl.ndarray.types.Shape stride = pair(p.strideH(), p.strideW());
        ai.djl.ndarray.types.Shape padding = pair(p.padH(), p.padW());
        boolean ceil = p.ceilMode();
        TorchOp includingPad = x -> JniUtils.avgPool(x[0], kernel, stride, padding, ceil, true);
        if (p.countIncludePad() || (p.padH() == 0 && p.padW() == 0)) {
            return includingPad;
        }
        double[] rows = divisorRatios(in.height(), out.height(), p.kernelH(), p.strideH(), p.padH());
        double[] cols = divisorRatios(in.width(), out.width(), p.kernelW(), p.strideW(), p.padW());
        float[] ratio = new float[rows.length * cols.length];
        for (int y = 0; y < rows.length; y++) {
            for (int x = 0; x < cols.length; x++) {
                ratio[y * cols.length + x] = (float) (rows[y] * cols[x]);
            }
        }
        PtNDArray rescale = upload(ratio, 1, 1, rows.length, cols.length);
        return x -> {
            PtNDArray mean = includingPad.apply(x);
            PtNDArray rescaled = JniUtils.mul(mean, rescale);
            mean.close();
            return rescaled;
        };
    }

    /** PyTorch's window extents along one axis: clipped to the padded input, over clipped to the input. */
    private static double[] divisorRatios(int in, int out, int kernel, int stride, int pad) {
        double[] ratio = new double[out];
        for (int o = 0; o < out; o++) {
            int start = o * stride - pad;
            int end = Math.min(start + kernel, in + pad);
            int withPad = end - start;
            int inside = Math.min(end, in) - Math.max(start, 0);
            ratio[o] = (double) withPad / inside;
        }
        return ratio;
    }

    TorchOp adaptiveAvgPool(Op.AdaptiveAvgPool2d p) {
        ai.djl.ndarray.types.Shape size = pair(p.outH(), p.outW());
        return x -> JniUtils.adaptiveAvgPool(x[0], size);
    }

    /** torch.flatten(x, 1), kept four-dimensional ({@code N×features×1×1}) as VecNN keeps every value a map. */
    TorchOp flatten(long features) {
        long[] shape = {-1, features, 1, 1};
        return x -> JniUtils.reshape(x[0], shape);
    }

    /**
     * @param flattened the map whose NHWC flatten order VecNN's weight columns are in, or null when they
     *                  are already in torch's order (an input of one pixel)
     */
    TorchOp linear(Op.Linear l, int inFeatures, Shape flattened) {
        float[] matrix = weight(l.weight());
        if (flattened != null) {
            matrix = FlattenPermutation.nhwcToNchwColumns(matrix, l.outFeatures(), flattened);
        }
        PtNDArray w = upload(matrix, l.outFeatures(), inFeatures);
        PtNDArray b = l.bias() == null ? null : upload(weight(l.bias()), l.outFeatures());
        long[] rows = {-1, inFeatures};
        long[] map = {-1, l.outFeatures(), 1, 1};
        return x -> {
            PtNDArray features = JniUtils.reshape(x[0], rows);
            PtNDArray y = JniUtils.linear(features, w, b);
            features.close();
            PtNDArray result = JniUtils.reshape(y, map);
            y.close();
            return result;
        };
    }

    TorchOp concat() {
        return x -> JniUtils.cat(x, CHANNEL_AXIS);
    }

    TorchOp add() {
        return x -> {
            PtNDArray sum = JniUtils.add(x[0], x[1]);
            for (int i = 2; i < x.length; i++) {
                PtNDArray next = JniUtils.add(sum, x[i]);
                sum.close();
                sum = next;
            }
            return sum;
        };
    }

    TorchOp softmax() {
        return x -> JniUtils.softmax(x[0], CHANNEL_AXIS, DataType.FLOAT32);
    }

    TorchOp logSoftmax() {
        return x -> JniUtils.logSoftmax(x[0], CHANNEL_AXIS, DataType.FLOAT32);
    }

    /** ShuffleNet's {@code channel_shuffle}: view as {@code [N, g, C/g, H, W]}, transpose, contiguous, view back. */
    TorchOp channelShuffle(Op.ChannelShuffle g, Shape in) {
        long[] grouped = {-1, g.groups(), in.channels() / g.groups(), in.height(), in.width()};
        long[] map = {-1, in.channels(), in.height(), in.width()};
        return x -> {
            PtNDArray view = JniUtils.reshape(x[0], grouped);
            PtNDArray swapped = JniUtils.transpose(view, 1, 2);
            view.close();
            PtNDArray contiguous = JniUtils.clone(swapped);
            swapped.close();
            PtNDArray result = JniUtils.reshape(contiguous, map);
            contiguous.close();
            return result;
        };
    }

    /** {@code x[:, start:end]}, as ShuffleNet v2's {@code chunk} gives it (a view, as in PyTorch). */
    TorchOp channelSlice(Op.ChannelSlice s) {
        return x -> JniUtils.slice(x[0], CHANNEL_AXIS, s.start(), s.end(), 1);
    }

    /** ConvNeXt's {@code LayerNorm2d}: permute to channels-last, {@code F.layer_norm} over C, permute back. */
    TorchOp layerNorm(Op.LayerNorm l, int channels) {
        PtNDArray w = upload(weight(l.weight()), channels);
        PtNDArray b = upload(weight(l.bias()), channels);
        ai.djl.ndarray.types.Shape normalized = new ai.djl.ndarray.types.Shape(channels);
        return x -> {
            PtNDArray last = JniUtils.permute(x[0], new long[] {0, 2, 3, 1});
            PtNDArray normed = JniUtils.layerNorm(last, normalized, w, b, l.eps());
            last.close();
            PtNDArray result = JniUtils.permute(normed, new long[] {0, 3, 1, 2});
            normed.close();
            return result;
        };
    }

    /** Reorders flattened features from torch.flatten's order to VecNN's, for a graph whose output is one. */
    TorchOp nhwcFlattenOrder(Shape flattened) {
        long[] map = {-1, flattened.channels(), flattened.height(), flattened.width()};
        long[] channelsLast = {0, 2, 3, 1};
        long[] features = {-1, flattened.size(), 1, 1};
        return x -> {
            PtNDArray nchw = JniUtils.reshape(x[0], map);
            PtNDArray nhwc = JniUtils.permute(nchw, channelsLast);
            nchw.close();
            PtNDArray result = JniUtils.reshape(nhwc, features);
            nhwc.close();
            return result;
        };
    }

    private float[] weight(String name) {
        return weights.get(name).data();
    }

    /** Copies into memory libtorch allocates and owns (aligned as for any tensor it creates itself). */
    private PtNDArray upload(float[] data, long... shape) {
        PtNDArray staged = (PtNDArray) manager.create(data, new ai.djl.ndarray.types.Shape(shape));
        PtNDArray owned = JniUtils.clone(staged);
        staged.close();
        return owned;
    }

    private static ai.djl.ndarray.types.Shape pair(int a, int b) {
        return new ai.djl.ndarray.types.Shape(a, b);
    }
}
