package io.vecnn.exec.fast;

import io.vecnn.exec.parallel.Team;
import io.vecnn.graph.Op;
import io.vecnn.kernels.Epilogue;
import io.vecnn.kernels.Gemm;
import io.vecnn.kernels.PackedMatrix;

import java.util.Map;

/**
 * A Linear layer as a GEMM with the batch as rows. At batch 1 it streams the packed weight once, panel by
 * panel; panels are split across threads so both cores pull from memory.
 */
record LinearStep(String name, Op.Linear op, PackedMatrix weight, Epilogue epilogue, int input, int output)
        implements Step {
    /**
     * Small tasks, so a thread that finishes its share of the weight early (see {@link
     * io.vecnn.exec.parallel.WorkerTeam}) takes over fine-grained pieces of the other's. A memory-bound layer
     * (AlexNet's first classifier layer streams 151 MB) reaches the machine's bandwidth only when neither thread
     * idles at the end; coarser tasks left one thread waiting for the other's last piece (GemvBenchmark
     * measures the rate against a plain streaming read).
     */
    private static final int PANELS_PER_TASK = 2;

    /** @param reuse whether the weight array may be packed in place (the plan owns it) */
    static LinearStep of(
            String name,
            Op.Linear op,
            float[] weight,
            float[] bias,
            int in,
            boolean relu,
            boolean reuse,
            int input,
            int output) {
        int out = op.outFeatures();
        int width = Gemm.panelWidthFor(out);
        return new LinearStep(
                name,
                op,
                reuse ? PackedMatrix.packInPlace(weight, out, in, width) : PackedMatrix.pack(weight, 0, out, in, width),
                new Epilogue(bias, null, 0, relu),
                input,
                output);
    }

    @Override
    public int[] buffers() {
        return new int[] {input, output};
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        int panels = weight.panels();
        int tasks = (panels + PANELS_PER_TASK - 1) / PANELS_PER_TASK;
        float[] x = buffers[input];
        float[] y = buffers[output];
        team.parallelFor(
                tasks,
                t -> Gemm.block(
                        x,
                        0,
                        weight.k(),
                        batch,
                        weight,
                        t * PANELS_PER_TASK,
                        Math.min(panels, (t + 1) * PANELS_PER_TASK),
                        y,
                        0,
                        weight.n(),
                        0,
                        epilogue));
    }

    @Override
    public void recoverWeights(Map<String, float[]> into) {
        float[] w = new float[weight.n() * weight.k()];
        weight.unpackInto(w, 0);
        into.put(op.weight(), w);
        if (op.bias() != null) {
            into.put(op.bias(), epilogue.bias().clone());
        }
    }

    @Override
    public String describe() {
        return name + ": linear " + weight.k() + " -> " + weight.n() + (epilogue.relu() ? " + relu" : "");
    }
}
