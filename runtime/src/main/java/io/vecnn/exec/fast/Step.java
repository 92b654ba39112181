package io.vecnn.exec.fast;

import io.vecnn.exec.parallel.Team;

import java.util.Arrays;
import java.util.Map;

/** One prepared step of a plan: reads and writes the workspace's buffers by index, decides nothing at run time. */
interface Step {
    /** @param scratch at least {@link #scratchFloats(int)} floats, shared by all steps of a run */
    void run(float[][] buffers, float[] scratch, int batch, Team team);

    /** Every buffer the step reads or writes: what {@link BufferSlots} needs to know when a buffer is free. */
    int[] buffers();

    /**
     * A buffer this step reads for the last time whose memory its output may take over, or -1: see
     * {@link io.vecnn.kernels.ConvKernel#residualMayShareOutput}.
     */
    default int outputMayTake() {
        return -1;
    }

    /** The buffer the step writes. */
    int output();

    /** {@code inputs} followed by {@code output}: {@link #buffers} of a step that reads several values. */
    static int[] inputsAndOutput(int[] inputs, int output) {
        int[] all = Arrays.copyOf(inputs, inputs.length + 1);
        all[inputs.length] = output;
        return all;
    }

    default int scratchFloats(int batch) {
        return 0;
    }

    /**
     * Puts the weights this step was built from, by name, into {@code into}, rebuilt exactly from its packed
     * forms: the model keeps no other copy.
     */
    default void recoverWeights(Map<String, float[]> into) {}

    /** What the step computes, for per-layer profiles and debugging. */
    String describe();
}
