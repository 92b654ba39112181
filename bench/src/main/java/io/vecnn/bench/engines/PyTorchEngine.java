package io.vecnn.bench.engines;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.vecnn.Model;
import io.vecnn.Shape;

/**
 * libtorch (through DJL's PyTorch engine) running a VecNN model's own graph and weights, op by op in
 * eager mode as a PyTorch module's {@code forward} does: the speed peer users compare VecNN with.
 *
 * <p>libtorch's intra-op thread count is process-wide (and, under OpenMP, also kept per calling thread),
 * while the bench holds engines of different thread counts in one process; each run therefore sets it to
 * this engine's count first. Gradient mode, which libtorch keeps per thread, is switched off the same way.
 */
public final class PyTorchEngine implements Engine {
    private final NDManager weights;
    private final TorchNetwork network;
    private final Shape input;
    private final int threads;

    private PyTorchEngine(NDManager weights, TorchNetwork network, Shape input, int threads) {
        this.weights = weights;
        this.network = network;
        this.input = input;
        this.threads = threads;
    }

    /**
     * Builds the network from {@code model}'s graph and weights, converted to PyTorch's layouts once.
     *
     * @param threads libtorch's intra-op thread count while this engine runs
     */
    public static PyTorchEngine open(Model model, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        NDManager weights = LibTorch.engine().newBaseManager();
        try {
            TorchNetwork network = TorchNetwork.build(model.graph(), model.weights(), weights);
            return new PyTorchEngine(weights, network, model.inputShape(), threads);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "pytorch";
    }

    @Override
    public String version() {
        return LibTorch.version();
    }

    @Override
    public float[] run(float[] nchw, int batch) {
        if (batch < 1 || nchw.length != batch * input.size()) {
            throw new IllegalArgumentException("a batch of " + batch + " at " + input + " needs " + batch * input.size()
                    + " values, got " + nchw.length);
        }
        JniUtils.setGradMode(false);
        JniUtils.setNumThreads(threads);
        try (NDManager scope = weights.newSubManager()) {
            PtNDArray x = (PtNDArray) scope.create(
                    nchw, new ai.djl.ndarray.types.Shape(batch, input.channels(), input.height(), input.width()));
            return network.forward(x).toFloatArray();
        }
    }

    @Override
    public void close() {
        weights.close();
    }
}
