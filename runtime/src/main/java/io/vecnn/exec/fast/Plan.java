package io.vecnn.exec.fast;

import io.vecnn.InputShapeException;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.VecnnException;
import io.vecnn.VecnnTimeoutException;
import io.vecnn.exec.parallel.Team;
import io.vecnn.exec.parallel.WorkerTeam;
import io.vecnn.kernels.NchwLayout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * A graph prepared for one input size: the steps with their kernels and packed weights, and the buffer
 * each value lives in. Immutable and shared; a run borrows a workspace (the buffers for its batch size)
 * from a per-batch pool and returns it, so steady-state runs allocate no feature maps.
 */
public final class Plan {
    private final List<Step> steps;
    private final long[] bufferSizes;
    private final BufferSlots slots;
    private final int inputBuffer;
    private final int outputBuffer;
    private final Shape input;
    private final Shape output;
    private final long macsPerImage;
    private final WorkspacePool workspaces = new WorkspacePool(Long.MAX_VALUE);
    /** What the steps hold (packed weights, biases, tables), measured once; see {@link #weightBytes()}. */
    private final long weightBytes;

    /**
     * Below this many multiply-accumulates a run (a fraction of a millisecond on one core) stays on the calling thread:
     * handing it to the pool and synchronising every layer would cost more than a second core saves.
     */
    private static final long PARALLEL_MIN_MACS = 20_000_000;
    /** The longest array the JVMs we run on allocate. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    Plan(
            List<Step> steps,
            long[] bufferSizes,
            int inputBuffer,
            int outputBuffer,
            Shape input,
            Shape output,
            long macsPerImage) {
        this.steps = List.copyOf(steps);
        this.bufferSizes = bufferSizes;
        this.slots = BufferSlots.assign(this.steps, bufferSizes, inputBuffer, outputBuffer);
        this.inputBuffer = inputBuffer;
        this.outputBuffer = outputBuffer;
        this.input = input;
        this.output = output;
        this.macsPerImage = macsPerImage;
        this.weightBytes = RetainedBytes.of(this.steps);
    }

    /**
     * Bytes the plan's steps hold: packed weights, biases and tables (a model loaded from a file holds its
     * weights nowhere else). Measured once when the plan is built, by walking what the steps reference.
     */
    public long weightBytes() {
        return weightBytes;
    }

    /** Bytes of the workspaces idle in the plan's pool, kept for the next runs at their batch sizes. */
    public long idleWorkspaceBytes() {
        return workspaces.idleBytes();
    }

    /**
     * Keeps at most {@code bytes} of idle workspaces (unbounded until set): beyond it, those of the batch sizes
     * run least recently are dropped, and a later run at such a size allocates its workspace again.
     */
    public void limitIdleWorkspaces(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("idle workspace budget must be zero or positive, got " + bytes);
        }
        workspaces.budget(bytes);
    }

    public Shape inputShape() {
        return input;
    }

    public Shape outputShape() {
        return output;
    }

    /**
     * The weights the plan was built from, by name, rebuilt exactly from the packed forms its steps keep
     * (new arrays on every call): how a model that dropped its file's arrays still gives its weights.
     */
    public Map<String, float[]> recoverWeights() {
        Map<String, float[]> weights = new HashMap<>();
        for (Step step : steps) {
            step.recoverWeights(weights);
        }
        return weights;
    }

    /**
     * One line per step: which kernel runs each layer and what it fuses; a step whose output took its
     * residual's memory says so.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (Step s : steps) {
            int donor = s.outputMayTake();
            boolean overResidual = donor >= 0 && slots.slotOf()[donor] == slots.slotOf()[s.output()];
            lines.add(s.describe() + (overResidual ? ", written over the residual" : ""));
        }
        return lines;
    }

    public Tensor run(Tensor x, ForkJoinPool pool) {
        return runNhwc(x, pool, null);
    }

    /**
     * Runs the plan and adds each step's wall time in nanoseconds to {@code stepNanos} (one slot per line of
     * {@link #describe()}): the per-layer profile.
     */
    public Tensor profile(Tensor x, ForkJoinPool pool, long[] stepNanos) {
        if (stepNanos == null || stepNanos.length != steps.size()) {
            throw new VecnnException("profile needs " + steps.size() + " slots, got "
                    + (stepNanos == null ? "null" : String.valueOf(stepNanos.length)));
        }
        return runNhwc(x, pool, stepNanos);
    }

    /**
     * Runs a batch given and returned in PyTorch's NCHW order, writing the output into the caller's array: the
     * input is re-laid into a buffer of a pooled workspace, so a warm call allocates nothing.
     *
     * @param deadline a {@link System#nanoTime()} after which the run is abandoned between two layers with a
     *                 {@link VecnnTimeoutException}, or 0 for none; the workspace goes back to the pool either way
     */
    public void runNchw(float[] nchw, int batch, float[] out, ForkJoinPool pool, long deadline) {
        checkNchw(nchw, batch, out);
        runPooled(nchw, true, batch, out, pool, deadline, null);
    }

    /**
     * As {@link #runNchw(float[], int, float[], ForkJoinPool, long)} in the caller's buffers (made by
     * {@link #newBuffers(int)} of this plan for this batch), which must not be in use by another run.
     */
    public void runNchw(RunBuffers buffers, float[] nchw, int batch, float[] out, ForkJoinPool pool, long deadline) {
        checkNchw(nchw, batch, out);
        if (buffers == null) {
            throw new VecnnException("run buffers are null");
        }
        if (!buffers.belongsTo(this)) {
            throw new VecnnException("run buffers were made by the plan for " + buffers.plan.input
                    + " of another model or size; this plan is for " + input);
        }
        if (buffers.batch != batch) {
            throw new InputShapeException(
                    "run buffers hold a batch of " + buffers.batch + "; this run is a batch of " + batch);
        }
        execute(buffers, nchw, true, out, pool, deadline, null);
    }

    /** The number of output values of a batch; refuses a batch that is not positive or whose output no array holds. */
    public int outputLength(int batch) {
        return checkedLength(batch, output, "output");
    }

    private int checkedLength(int batch, Shape shape, String what) {
        if (batch <= 0) {
            throw new InputShapeException("batch size must be positive, got " + batch);
        }
        long values = batch * shape.size();
        if (values > MAX_ARRAY) {
            throw new InputShapeException("a batch of " + batch + " at " + shape + " needs " + values + " " + what
                    + " values, more than a Java array holds (" + MAX_ARRAY + "); use a smaller batch");
        }
        return (int) values;
    }

    private void checkNchw(float[] nchw, int batch, float[] out) {
        if (nchw == null) {
            throw new InputShapeException("input array is null");
        }
        int needed = checkedLength(batch, input, "input");
        if (nchw.length != needed) {
            throw new InputShapeException(
                    "input has " + nchw.length + " values; a batch of " + batch + " at " + input + " needs " + needed);
        }
        if (out == null) {
            throw new InputShapeException("output array is null");
        }
        int outLength = outputLength(batch);
        if (out.length != outLength) {
            throw new InputShapeException("output array has " + out.length + " values; a batch of " + batch + " gives "
                    + outLength + " (" + output + " per image)");
        }
    }

    private Tensor runNhwc(Tensor x, ForkJoinPool pool, long[] stepNanos) {
        if (x == null) {
            throw new InputShapeException("input tensor is null");
        }
        if (x.channels() != input.channels() || x.height() != input.height() || x.width() != input.width()) {
            throw new InputShapeException(
                    "plan for " + input + " given an input of " + x.channels() + "x" + x.height() + "x" + x.width());
        }
        Tensor out = new Tensor(
                x.batch(), output.height(), output.width(), output.channels(), new float[outputLength(x.batch())]);
        runPooled(x.data(), false, x.batch(), out.data(), pool, 0, stepNanos);
        return out;
    }

    /** Runs in buffers borrowed from the pool for this batch size, returned whether the run ends or fails. */
    private void runPooled(
            float[] in, boolean nchw, int batch, float[] out, ForkJoinPool pool, long deadline, long[] stepNanos) {
        RunBuffers buffers = workspaces.take(batch);
        if (buffers == null) {
            buffers = newBuffers(batch);
        }
        try {
            execute(buffers, in, nchw, out, pool, deadline, stepNanos);
        } finally {
            workspaces.give(buffers);
        }
    }

    /** Runs the steps on {@code in}, both it and {@code out} in NCHW order when {@code nchw}, else NHWC. */
    private void execute(
            RunBuffers buffers,
            float[] in,
            boolean nchw,
            float[] out,
            ForkJoinPool pool,
            long deadline,
            long[] stepNanos) {
        int batch = buffers.batch;
        float[][] b = buffers.values;
        float[] scratch = buffers.scratch;
        try {
            if (nchw) {
                NchwLayout.toNhwc(in, buffers.staged, batch, input);
                b[inputBuffer] = buffers.staged;
            } else {
                b[inputBuffer] = in;
            }
            if (batch * macsPerImage < PARALLEL_MIN_MACS) {
                runSteps(b, scratch, batch, Team.CALLING_THREAD, deadline, stepNanos);
            } else {
                // The whole run leads a team of the pool's workers that stays awake until the last layer,
                // instead of a hand-off and a wake-up per layer.
                WorkerTeam.run(pool, team -> runSteps(b, scratch, batch, team, deadline, stepNanos));
            }
            if (nchw) {
                NchwLayout.toNchw(b[outputBuffer], out, batch, output);
            } else {
                System.arraycopy(b[outputBuffer], 0, out, 0, batch * (int) output.size());
            }
        } finally {
            b[inputBuffer] = null;
        }
    }

    private void runSteps(float[][] buffers, float[] scratch, int batch, Team team, long deadline, long[] stepNanos) {
        for (int i = 0; i < steps.size(); i++) {
            if (deadline != 0 && System.nanoTime() - deadline > 0) {
                throw new VecnnTimeoutException(
                        "deadline passed before layer " + (i + 1) + " of " + steps.size() + "; the run was abandoned");
            }
            long start = stepNanos == null ? 0 : System.nanoTime();
            steps.get(i).run(buffers, scratch, batch, team);
            if (stepNanos != null) {
                stepNanos[i] += System.nanoTime() - start;
            }
        }
    }

    /**
     * Bytes of feature maps and scratch that one run at {@code batch} borrows, with the NHWC copy of an NCHW
     * input; an NHWC input is the caller's.
     */
    public long workspaceBytes(int batch) {
        long floats = scratchFloats(batch) + batch * input.size();
        for (long size : slots.slotSizes()) {
            floats += size * batch;
        }
        return floats * Float.BYTES;
    }

    private int scratchFloats(int batch) {
        int scratch = 0;
        for (Step step : steps) {
            scratch = Math.max(scratch, step.scratchFloats(batch));
        }
        return scratch;
    }

    /**
     * Buffers for runs at {@code batch}, for a caller that keeps its own per thread (see
     * {@link #runNchw(RunBuffers, float[], int, float[], ForkJoinPool, long)}); the staged input is allocated
     * here too, so no run allocates.
     */
    public RunBuffers newBuffers(int batch) {
        int staged = checkedLength(batch, input, "input");
        long[] slotSizes = slots.slotSizes();
        float[][] slotArrays = new float[slotSizes.length][];
        for (int s = 0; s < slotSizes.length; s++) {
            long size = slotSizes[s] * batch;
            if (size > MAX_ARRAY) {
                throw new InputShapeException("batch " + batch + " needs a feature map of " + size
                        + " values, more than a Java array holds; use a smaller batch");
            }
            slotArrays[s] = new float[(int) size];
        }
        float[][] values = new float[bufferSizes.length][];
        for (int i = 0; i < bufferSizes.length; i++) {
            if (i != inputBuffer) {
                values[i] = slotArrays[slots.slotOf()[i]];
            }
        }
        return new RunBuffers(
                this, batch, values, new float[scratchFloats(batch)], new float[staged], workspaceBytes(batch));
    }
}
