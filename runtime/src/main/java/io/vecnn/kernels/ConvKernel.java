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

    /**
     * Whether {@link #run} stays correct when {@code residual} and {@code y} are the same array (the output
     * then takes the memory of a residual that is read for the last time): every output element is written
     * once, after its own residual element was read, and nothing else of either is read. A plan uses it to
     * save the memory traffic of a separate output map (each output line is then read once instead of
     * fetched for writing as well).
     */
    default boolean residualMayShareOutput() {
        return false;
    }

    /** Scratch the kernel needs for a batch, shared by all its threads (0 for none). */
    default int scratchFloats(int batch) {
        return 0;
    }
}
