package io.vecnn.exec.fast;

import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.parallel.Team;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Node;
import io.vecnn.graph.WeightTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An op without a fast kernel yet (softmax, log-softmax, an add of three or more values), run by the
 * reference executor and copied into its buffer. These ops move little data next to the convolutions around them.
 */
record ReferenceStep(Node node, Map<String, WeightTensor> weights, int[] inputs, Shape[] inputShapes, int output)
        implements Step {

    /** @param weights the graph's weights, of which the step keeps only its node's own */
    static ReferenceStep of(
            Node node, Map<String, WeightTensor> weights, int[] inputs, Shape[] inputShapes, int output) {
        Map<String, WeightTensor> own = new HashMap<>();
        for (String name : node.op().weights()) {
            own.put(name, weights.get(name));
        }
        return new ReferenceStep(node, Map.copyOf(own), inputs, inputShapes, output);
    }

    @Override
    public int[] buffers() {
        return Step.inputsAndOutput(inputs, output);
    }

    @Override
    public void run(float[][] buffers, float[] scratch, int batch, Team team) {
        List<Tensor> ins = new ArrayList<>(inputs.length);
        for (int i = 0; i < inputs.length; i++) {
            Shape s = inputShapes[i];
            // A buffer shares its slot's array, which may be longer than this value (see BufferSlots).
            float[] data = buffers[inputs[i]];
            int length = (int) (batch * s.size());
            ins.add(new Tensor(
                    batch,
                    s.height(),
                    s.width(),
                    s.channels(),
                    data.length == length ? data : Arrays.copyOf(data, length)));
        }
        float[] result = ReferenceExecutor.apply(node, ins, weights).data();
        System.arraycopy(result, 0, buffers[output], 0, result.length);
    }

    @Override
    public void recoverWeights(Map<String, float[]> into) {
        weights.forEach((name, w) -> into.put(name, w.data().clone()));
    }

    @Override
    public String describe() {
        return node.name() + ": " + node.op().kind() + " (reference)";
    }
}
