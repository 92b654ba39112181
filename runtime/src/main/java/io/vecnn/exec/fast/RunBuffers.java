package io.vecnn.exec.fast;

/**
 * What one run of a plan at one batch size writes: the value buffers (by the plan's buffer index), one
 * scratch buffer shared by the steps, and the NHWC copy of an NCHW input. Used by one run at a time.
 */
public final class RunBuffers {
    final Plan plan;
    final int batch;
    final float[][] values;
    final float[] scratch;
    final float[] staged;
    /** What the arrays take: {@link Plan#workspaceBytes(int)} of the batch. */
    final long bytes;

    RunBuffers(Plan plan, int batch, float[][] values, float[] scratch, float[] staged, long bytes) {
        this.plan = plan;
        this.bytes = bytes;
        this.batch = batch;
        this.values = values;
        this.scratch = scratch;
        this.staged = staged;
    }

    /** The batch size these buffers hold. */
    public int batch() {
        return batch;
    }

    /** Whether these buffers were made by {@code plan}. */
    public boolean belongsTo(Plan plan) {
        return this.plan == plan;
    }
}
