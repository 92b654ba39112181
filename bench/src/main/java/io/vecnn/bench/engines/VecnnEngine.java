package io.vecnn.bench.engines;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;

/**
 * VecNN's fast path. Like the peers it takes NCHW and pays for its layout change in every run, but into an
 * NHWC tensor it keeps between calls, so the allocation the bench reports is {@link Model#run(Tensor)}'s own.
 */
public final class VecnnEngine implements Engine {
    private final Model model;
    private Tensor input;

    public VecnnEngine(Model model) {
        this.model = model;
    }

    public Model model() {
        return model;
    }

    @Override
    public String name() {
        return "vecnn";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public float[] run(float[] nchw, int batch) {
        return model.run(nhwc(nchw, batch)).toNchw();
    }

    private Tensor nhwc(float[] nchw, int batch) {
        Shape s = model.inputShape();
        if (input == null || input.batch() != batch) {
            input = Tensor.zeros(batch, s.height(), s.width(), s.channels());
        }
        input.copyFromNchw(nchw);
        return input;
    }

    @Override
    public void close() {
        model.close();
    }
}
