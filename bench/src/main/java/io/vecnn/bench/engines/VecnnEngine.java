package io.vecnn.bench.engines;

import io.vecnn.Model;

/** VecNN's fast path on a model that shares the bench's thread pool. */
public final class VecnnEngine implements Engine {
    private final Model model;

    public VecnnEngine(Model model) {
        this.model = model;
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
        return model.run(nchw, batch);
    }

    @Override
    public void close() {
        model.close();
    }
}
