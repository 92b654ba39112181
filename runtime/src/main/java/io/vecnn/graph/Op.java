package io.vecnn.graph;

import java.util.List;

/**
 * The operations a VecNN graph is made of: enough for LeNet-5, AlexNet, VGG, GoogLeNet, ResNet,
 * Inception v3, the MobileNet and EfficientNet families, ShuffleNet v2 and ConvNeXt. Ops are plain parameter records; weights are referenced by name and stored in the
 * model file beside the graph. Dropout is the identity at inference and has no op.
 *
 * <p>Weight layouts are the runtime's, not PyTorch's: convolution weights are OHWI
 * ({@code [out][kh][kw][in/groups]}) so that the input channel, contiguous in NHWC, is also contiguous
 * in the weight; a Linear that follows a flatten takes its inputs in NHWC flatten order.
 */
public sealed interface Op {

    /** Names of the weight tensors this op reads, in a fixed order; none unless the op says otherwise. */
    default List<String> weights() {
        return List.of();
    }

    /** Short name used in the model file and in summaries. */
    String kind();

    /**
     * 2-D convolution. Output channel {@code o} uses input channels of group {@code o / (out/groups)}.
     *
     * @param weight OHWI weight name, shape {@code [outChannels, kernelH, kernelW, inChannels/groups]}
     * @param bias   bias name, shape {@code [outChannels]}, or null for none
     */
    record Conv2d(
            int outChannels,
            int kernelH,
            int kernelW,
            int strideH,
            int strideW,
            int padH,
            int padW,
            int dilationH,
            int dilationW,
            int groups,
            String weight,
            String bias)
            implements Op {
        public List<String> weights() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }

        public String kind() {
            return "conv2d";
        }
    }

    /** {@code y[c] = x[c] * scale[c] + shift[c]}: a BatchNorm that could not be folded into a convolution. */
    record ChannelAffine(String scale, String shift) implements Op {
        public List<String> weights() {
            return List.of(scale, shift);
        }

        public String kind() {
            return "channel_affine";
        }
    }

    record Relu() implements Op {
        public String kind() {
            return "relu";
        }
    }

    /** An elementwise activation other than ReLU (ReLU6, sigmoid, tanh, SiLU, hardswish, hardsigmoid, GELU). */
    record Activation(ActivationFunction function) implements Op {
        public Activation {
            if (function == null) {
                throw new IllegalArgumentException("an activation needs a function");
            }
        }

        public String kind() {
            return function.kind();
        }
    }

    /** What max and average pooling share: the window, its stride and padding, and ceil-mode rounding. */
    sealed interface Pool2d extends Op {
        int kernelH();

        int kernelW();

        int strideH();

        int strideW();

        int padH();

        int padW();

        boolean ceilMode();
    }

    /** Max pooling; padding counts as minus infinity, as in PyTorch. */
    record MaxPool2d(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, boolean ceilMode)
            implements Pool2d {
        public String kind() {
            return "max_pool2d";
        }
    }

    /** Average pooling with PyTorch's divisor rule for padding and ceil mode. */
    record AvgPool2d(
            int kernelH,
            int kernelW,
            int strideH,
            int strideW,
            int padH,
            int padW,
            boolean ceilMode,
            boolean countIncludePad)
            implements Pool2d {
        public String kind() {
            return "avg_pool2d";
        }
    }

    /** PyTorch's AdaptiveAvgPool2d: bin i covers {@code [floor(i*in/out), ceil((i+1)*in/out))}. */
    record AdaptiveAvgPool2d(int outH, int outW) implements Op {
        public String kind() {
            return "adaptive_avg_pool2d";
        }
    }

    /** Flattens each image's H×W×C values, in NHWC order, to a 1×1×(H·W·C) map. */
    record Flatten() implements Op {
        public String kind() {
            return "flatten";
        }
    }

    /**
     * Fully connected layer over a flattened (1×1×in) input.
     *
     * @param weight weight name, shape {@code [outFeatures, inFeatures]}
     * @param bias   bias name, shape {@code [outFeatures]}, or null for none
     */
    record Linear(int outFeatures, String weight, String bias) implements Op {
        public List<String> weights() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }

        public String kind() {
            return "linear";
        }
    }

    /** Concatenation along channels, in input order (Inception blocks). */
    record Concat() implements Op {
        public String kind() {
            return "concat";
        }
    }

    /** Elementwise sum of inputs of one shape (the residual add). */
    record Add() implements Op {
        public String kind() {
            return "add";
        }
    }

    /**
     * {@code x * s}: a map (input 0) times per-channel factors (input 1, {@code C×1×1}) broadcast over its
     * pixels, image by image: the gate of a squeeze-and-excitation block.
     */
    record ScaleChannels() implements Op {
        public String kind() {
            return "scale_channels";
        }
    }

    /**
     * ShuffleNet's {@code channel_shuffle}: the channels viewed as {@code groups} rows of {@code C/groups}, transposed
     * and flattened again, so output channel {@code k * groups + g} is input channel {@code g * (C/groups) + k}.
     */
    record ChannelShuffle(int groups) implements Op {
        public String kind() {
            return "channel_shuffle";
        }
    }

    /** Channels {@code [start, end)} of the input: one part of ShuffleNet v2's {@code x.chunk(2, dim=1)}. */
    record ChannelSlice(int start, int end) implements Op {
        public String kind() {
            return "channel_slice";
        }
    }

    /**
     * Layer normalisation over each pixel's channels, {@code (x - mean) / sqrt(var + eps) * weight[c] + bias[c]}
     * with the biased variance, as PyTorch's {@code nn.LayerNorm(C)} on a channels-last map (ConvNeXt's
     * {@code LayerNorm2d} is the same on NCHW).
     *
     * @param weight name of the per-channel scale, shape {@code [C]}
     * @param bias   name of the per-channel shift, shape {@code [C]}
     */
    record LayerNorm(double eps, String weight, String bias) implements Op {
        public List<String> weights() {
            return List.of(weight, bias);
        }

        public String kind() {
            return "layer_norm";
        }
    }

    /** log(softmax(x)) over the channels of each pixel, computed stably (models trained with NLL loss end in it). */
    record LogSoftmax() implements Op {
        public String kind() {
            return "log_softmax";
        }
    }

    /** Softmax over the channels of each pixel (over the classes of a flattened output). */
    record Softmax() implements Op {
        public String kind() {
            return "softmax";
        }
    }
}
