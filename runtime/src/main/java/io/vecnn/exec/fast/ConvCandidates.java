package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.exec.parallel.Team;
import io.vecnn.kernels.ConvKernel;
import io.vecnn.kernels.ConvOutput;

import java.util.List;

/**
 * A layer whose algorithm is still open while {@link NetworkTuning} times the plan: it runs whichever
 * candidate is current. Lives only in the throw-away plan the tuning runs; the plan a model keeps holds the
 * chosen kernel itself.
 */
final class ConvCandidates implements ConvKernel {
    final String tuningKey;
    final List<ConvKernel> candidates;
    /** Written by the tuning thread between runs, read by the run it then starts. */
    int current;

    ConvCandidates(String tuningKey, List<ConvKernel> candidates) {
        this.tuningKey = tuningKey;
        this.candidates = List.copyOf(candidates);
    }

    @Override
    public Shape outputShape() {
        return candidates.get(0).outputShape();
    }

    @Override
    public String algorithm() {
        return candidates.get(current).algorithm();
    }

    @Override
    public void run(float[] x, int batch, float[] y, float[] residual, ConvOutput to, Team team, float[] scratch) {
        candidates.get(current).run(x, batch, y, residual, to, team, scratch);
    }

    @Override
    public float[] ohwiWeight() {
        return candidates.get(0).ohwiWeight();
    }

    @Override
    public float[] bias() {
        return candidates.get(0).bias();
    }

    @Override
    public boolean residualMayShareOutput() {
        return candidates.stream().allMatch(ConvKernel::residualMayShareOutput);
    }

    @Override
    public int scratchFloats(int batch) {
        return candidates.stream().mapToInt(k -> k.scratchFloats(batch)).max().orElse(0);
    }
}
