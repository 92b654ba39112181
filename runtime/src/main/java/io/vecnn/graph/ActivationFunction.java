package io.vecnn.graph;

import java.util.Arrays;
import java.util.List;

/**
 * The elementwise activations beyond ReLU that torchvision's networks use, each defined as PyTorch defines it
 * (in double precision here: this is the reference the fast kernels are tested against). NaN stays NaN.
 */
public enum ActivationFunction {
    /** {@code nn.ReLU6}: {@code min(max(x, 0), 6)} (MobileNet v2). */
    RELU6("relu6") {
        @Override
        public double apply(double x) {
            return Double.isNaN(x) ? x : Math.min(Math.max(x, 0), 6);
        }
    },
    /** {@code nn.Sigmoid}: {@code 1 / (1 + exp(-x))}. */
    SIGMOID("sigmoid") {
        @Override
        public double apply(double x) {
            return 1 / (1 + Math.exp(-x));
        }
    },
    /** {@code nn.Tanh} (LeCun's LeNet-5). */
    TANH("tanh") {
        @Override
        public double apply(double x) {
            return Math.tanh(x);
        }
    },
    /** {@code nn.SiLU}, also called swish: {@code x * sigmoid(x)} (EfficientNet). */
    SILU("silu") {
        @Override
        public double apply(double x) {
            return x / (1 + Math.exp(-x));
        }
    },
    /** {@code nn.Hardswish}: {@code x * relu6(x + 3) / 6} (MobileNet v3). */
    HARDSWISH("hardswish") {
        @Override
        public double apply(double x) {
            return x * RELU6.apply(x + 3) / 6;
        }
    },
    /** {@code nn.Hardsigmoid}: {@code relu6(x + 3) / 6} (MobileNet v3's squeeze-and-excitation). */
    HARDSIGMOID("hardsigmoid") {
        @Override
        public double apply(double x) {
            return RELU6.apply(x + 3) / 6;
        }
    },
    /** {@code nn.GELU} in its default, exact form: {@code x * (1 + erf(x / sqrt(2))) / 2} (ConvNeXt). */
    GELU("gelu") {
        @Override
        public double apply(double x) {
            return x * (1 + Erf.erf(x / Math.sqrt(2))) / 2;
        }
    };

    private final String kind;

    ActivationFunction(String kind) {
        this.kind = kind;
    }

    /** The name used in model files and specs, as PyTorch's module name in lower case. */
    public String kind() {
        return kind;
    }

    public abstract double apply(double x);

    /** The function named {@code kind}, or null. */
    public static ActivationFunction byKind(String kind) {
        for (ActivationFunction f : values()) {
            if (f.kind.equals(kind)) {
                return f;
            }
        }
        return null;
    }

    /** Every name, in declaration order: error messages list them in a stable order. */
    public static List<String> kinds() {
        return Arrays.stream(values()).map(ActivationFunction::kind).toList();
    }
}
