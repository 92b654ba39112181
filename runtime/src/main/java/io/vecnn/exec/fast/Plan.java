package io.vecnn.exec.fast;

import io.vecnn.Tensor;
import io.vecnn.VecnnException;
import io.vecnn.VecnnTimeoutException;
import io.vecnn.graph.Shape;
import io.vecnn.kernels.NchwLayout;
import io.vecnn.kernels.WorkerTeam;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;

/**
 * A graph prepared for one input size: the steps with their kernels and packed weights, and the buffer
 * each value lives in. Immutable and shared; a run borrows a workspace (the buffers for its batch size)
 * from a per-batch pool and returns it, so steady-state runs allocate no feature maps.
 */
public final class Plan {
    private final List<Step> steps;
    private final long[] bufferSizes;
    private final int inputBuffer;
    private final int outputBuffer;
    private final Shape input;
    private final Shape output;
    private final long macsPerImage;
    private final Map<Integer, ConcurrentLinkedQueue<float[][]>> workspaces = new ConcurrentHashMap<>();

    /**
     * Below this many multiply-accumulates a run (about 0.1 ms on one core) stays on the calling thread:
     * handing it to the pool and synchronising every layer would cost more than a second core saves.
     */
    private static final long PARALLEL_MIN_MACS = 20_000_000;

    Plan(List<Step> steps, long[] bufferSizes, int inputBuffer, int outputBuffer, Shape input, Shape output,
         long macsPerImage) {
        this.steps = List.copyOf(steps);
        this.bufferSizes = bufferSizes;
        this.inputBuffer = inputBuffer;
        this.outputBuffer = outputBuffer;
        this.input = input;
        this.output = output;
        this.macsPerImage = macsPerImage;
    }

    public Shape inputShape() {
        return input;
    }

    public Shape outputShape() {
        return output;
    }

    /** One line per step: which kernel runs each layer and what it fuses. */
    public List<String> describe() {
        return steps.stream().map(Step::describe).toList();
    }

    public Tensor run(Tensor x, ForkJoinPool pool) {
        return runNhwc(x, pool, null);
    }

    /**
     * Runs the plan and adds each step's wall time in nanoseconds to {@code stepNanos} (one slot per line of
     * {@link #describe()}): the per-layer profile.
     */
    public Tensor profile(Tensor x, ForkJoinPool pool, long[] stepNanos) {
        if (stepNanos.length != steps.size()) {
            throw new VecnnException("profile needs " + steps.size() + " slots, got " + stepNanos.length);
        }
        return runNhwc(x, pool, stepNanos);
    }

    /**
     * Runs a batch given and returned in PyTorch's NCHW order, writing the output into the caller's array: the
     * input is re-laid into a buffer of the pooled workspace, so a warm call allocates nothing.
     *
     * @param deadline a {@link System#nanoTime()} after which the run is abandoned between two layers with a
     *                 {@link VecnnTimeoutException}, or 0 for none; the workspace goes back to the pool either way
     */
    public void runNchw(float[] nchw, int batch, float[] out, ForkJoinPool pool, long deadline) {
        execute(nchw, true, batch, out, pool, deadline, null);
    }

    private Tensor runNhwc(Tensor x, ForkJoinPool pool, long[] stepNanos) {
        if (x.channels() != input.channels() || x.height() != input.height() || x.width() != input.width()) {
            throw new VecnnException("plan for " + input + " given an input of " + x.channels() + "x" + x.height() + "x"
                    + x.width());
        }
        Tensor out = new Tensor(x.batch(), output.height(), output.width(), output.channels(),
                new float[Math.toIntExact(x.batch() * output.size())]);
        execute(x.data(), false, x.batch(), out.data(), pool, 0, stepNanos);
        return out;
    }

    /** Runs the steps on {@code in}, both it and {@code out} in NCHW order when {@code nchw}, else NHWC. */
    private void execute(float[] in, boolean nchw, int batch, float[] out, ForkJoinPool pool, long deadline,
                         long[] stepNanos) {
        ConcurrentLinkedQueue<float[][]> free = workspaces.computeIfAbsent(batch, b -> new ConcurrentLinkedQueue<>());
        float[][] buffers = free.poll();
        if (buffers == null) {
            buffers = allocate(batch);
        }
        float[] scratch = buffers[bufferSizes.length];
        try {
            if (nchw) {
                float[] staged = buffers[bufferSizes.length + 1];
                if (staged == null) {
                    staged = new float[Math.toIntExact(batch * input.size())];
                    buffers[bufferSizes.length + 1] = staged;
                }
                NchwLayout.toNhwc(in, staged, batch, input);
                buffers[inputBuffer] = staged;
            } else {
                buffers[inputBuffer] = in;
            }
            float[][] b = buffers;
            if (batch * macsPerImage < PARALLEL_MIN_MACS) {
                runSteps(b, scratch, batch, null, deadline, stepNanos);
            } else {
                // The whole run leads a team of the pool's workers that stays awake until the last layer,
                // instead of a hand-off and a wake-up per layer.
                WorkerTeam.run(pool, () -> runSteps(b, scratch, batch, pool, deadline, stepNanos));
            }
            if (nchw) {
                NchwLayout.toNchw(buffers[outputBuffer], out, batch, output);
            } else {
                System.arraycopy(buffers[outputBuffer], 0, out, 0, Math.toIntExact(batch * output.size()));
            }
        } finally {
            buffers[inputBuffer] = null;
            free.offer(buffers);
        }
    }

    private void runSteps(float[][] buffers, float[] scratch, int batch, ForkJoinPool pool, long deadline,
                          long[] stepNanos) {
        for (int i = 0; i < steps.size(); i++) {
            if (deadline != 0 && System.nanoTime() - deadline > 0) {
                throw new VecnnTimeoutException("deadline passed before layer " + (i + 1) + " of " + steps.size()
                        + "; the run was abandoned");
            }
            long start = stepNanos == null ? 0 : System.nanoTime();
            steps.get(i).run(buffers, scratch, batch, pool);
            if (stepNanos != null) {
                stepNanos[i] += System.nanoTime() - start;
            }
        }
    }

    /** Bytes of feature maps and scratch that one run at {@code batch} borrows; the input is the caller's. */
    public long workspaceBytes(int batch) {
        long floats = scratchFloats(batch);
        for (int i = 0; i < bufferSizes.length; i++) {
            if (i != inputBuffer) {
                floats += bufferSizes[i] * batch;
            }
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
     * The value buffers, then one scratch buffer shared by the steps, then a slot for the NHWC copy of an NCHW
     * input (filled on the first NCHW run).
     */
    private float[][] allocate(int batch) {
        float[][] buffers = new float[bufferSizes.length + 2][];
        buffers[bufferSizes.length] = new float[scratchFloats(batch)];
        for (int i = 0; i < bufferSizes.length; i++) {
            if (i != inputBuffer) {
                long size = bufferSizes[i] * batch;
                if (size > Integer.MAX_VALUE - 8) {
                    throw new VecnnException("batch " + batch + " needs a feature map of " + size
                            + " values, more than a Java array holds; use a smaller batch");
                }
                buffers[i] = new float[(int) size];
            }
        }
        return buffers;
    }
}
