package io.vecnn.bench.engines;

/**
 * One inference engine the bench times: VecNN itself or a peer (ONNX Runtime, PyTorch) running the same
 * network with the same weights. Every engine takes the same NCHW input and returns the same logits, so
 * the bench can check that they agree before it reports any speed.
 */
public interface Engine extends AutoCloseable {

    /** Short name used in tables, JSON and charts: {@code vecnn}, {@code onnxruntime}, {@code pytorch}. */
    String name();

    /** The engine's own version, e.g. {@code 1.29.0}. */
    String version();

    /**
     * One forward pass.
     *
     * @param nchw  {@code batch × C × H × W} input, row-major
     * @param batch number of images in {@code nchw}
     * @return the network output, {@code batch × classes}, row-major
     */
    float[] run(float[] nchw, int batch);

    @Override
    void close();
}
