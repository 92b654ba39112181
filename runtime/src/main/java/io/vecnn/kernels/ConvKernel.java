package io.vecnn.kernels;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;

/** A prepared convolution (weights packed or transformed): the contract every convolution algorithm meets. */
public interface ConvKernel {

    Shape outputShape();

    /** Short name of the algorithm, for per-layer profiles. */
    String algorithm();

    /**
     * @param x        the NHWC input batch
     * @param y        the NHWC output, written as {@code to} says
     * @param residual added before the ReLU, laid out like a {@code batch × out} NHWC map, or null
     * @param scratch  at least {@link #scratchFloats(int)} floats this run may use as it likes
     */
    void run(float[] x, int batch, float[] y, float[] residual, ConvOutput to, Team team, float[] scratch);

    /** The weights this kernel was made from, OHWI as given to it: a new array, rebuilt from what the kernel keeps. */
    float[] ohwiWeight();

    /** The bias it was made from (a new array), or null. */
    float[] bias();

    /** Scratch the kernel needs for a batch, shared by all its threads (0 for none). */
    default int scratchFloats(int batch) {
        return 0;
    }
}
