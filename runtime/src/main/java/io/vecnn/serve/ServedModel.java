package io.vecnn.serve;

import io.vecnn.InputSpec;
import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.image.ImageTransform;

import java.util.List;
import java.util.Map;

/**
 * A model behind the server: its name in URLs and the model currently serving it, with the batcher its
 * requests queue in. The model's shape, labels and preprocessing are read from the model itself. A reload
 * replaces model and batcher together; the name, shapes and everything a route holds on to stay valid.
 */
final class ServedModel implements AutoCloseable {
    /** The one version each served model has, as the protocol's versioned paths name it. */
    static final String VERSION = "1";

    /** One model, its batcher and input spec; {@code owned} when the server loaded the model and so closes it. */
    private record Generation(Model model, DynamicBatcher batcher, boolean owned, InputSpec spec) {
    }

    private final String name;
    private final BatchingConfig batching;
    private final ServerMetrics metrics;
    private final ModelSource source;
    private volatile Generation current;

    /**
     * @param source where the model was read from, so {@link #reloadFromSource} can read it again; null for a
     *               model the embedding application passed in (which the server then does not own)
     */
    ServedModel(String name, Model model, ModelSource source, BatchingConfig batching, ServerMetrics metrics) {
        this.name = name;
        this.batching = batching;
        this.metrics = metrics;
        this.source = source;
        this.current = start(model, source != null);
    }

    /** The model served as {@code name}, or a 404 naming the models there are. */
    static ServedModel named(Map<String, ServedModel> models, String name) {
        ServedModel model = models.get(name);
        if (model == null) {
            throw new HttpError(404, "unknown model '" + name + "'; this server has " + models.keySet());
        }
        return model;
    }

    private Generation start(Model model, boolean owned) {
        // The first run builds the plan (kernel choice by measurement, packed weights): do it before the
        // model takes requests, not on the first client's time.
        model.run(new float[Math.toIntExact(model.inputShape().size())], 1,
                new float[Math.toIntExact(model.outputShape().size())]);
        return new Generation(model, new DynamicBatcher(name, model, batching, metrics), owned, model.inputSpec());
    }

    /**
     * Serves {@code replacement} from now on. New requests go to it at once; requests already queued for the
     * old model run on it, then its batcher stops and, if the server loaded it, it is closed. Returns once
     * the old model is idle. The replacement must take and give the shapes the old one did, since requests
     * in flight were checked against them.
     *
     * @param owned whether the server closes {@code replacement} when it is replaced or the server stops
     */
    synchronized void replace(Model replacement, boolean owned) {
        Generation old = current;
        if (!replacement.inputShape().equals(old.model().inputShape())
                || !replacement.outputShape().equals(old.model().outputShape())) {
            throw new VecnnException("model '" + name + "' takes " + old.model().inputShape() + " and gives "
                    + old.model().outputShape() + "; its replacement takes " + replacement.inputShape() + " and gives "
                    + replacement.outputShape() + " — a reload must keep both shapes");
        }
        Generation next = start(replacement, owned);
        current = next;
        old.batcher().retire(next.batcher());
        if (old.owned()) {
            old.model().close();
        }
    }

    /** Reads the model again from the file it was started from; the old one keeps serving if that fails. */
    void reloadFromSource() {
        if (source == null) {
            throw new HttpError(400, "model '" + name + "' was handed to the server as a loaded Model, not a file, so "
                    + "there is nothing to reload it from: reload needs a file (start the server with "
                    + "InferenceServer.startFromFiles, or call InferenceServer.reload with a new Model)");
        }
        Model replacement = source.load();
        try {
            replace(replacement, true);
        } catch (RuntimeException e) {
            replacement.close();
            throw e;
        }
    }

    ModelSource source() {
        return source;
    }

    String name() {
        return name;
    }

    Model model() {
        return current.model();
    }

    DynamicBatcher batcher() {
        return current.batcher();
    }

    List<String> labels() {
        return current.spec().labels();
    }

    /** How an image posted to the model becomes its input. */
    ImageTransform transform() {
        return current.spec().preprocessing();
    }

    /** Values per image in and out. */
    int inputValues() {
        return Math.toIntExact(model().inputShape().size());
    }

    int outputValues() {
        return Math.toIntExact(model().outputShape().size());
    }

    /** The input shape in the protocol's form: a variable batch, then C, H, W. */
    long[] inputShape() {
        var in = model().inputShape();
        return new long[] {-1, in.channels(), in.height(), in.width()};
    }

    /** A classifier's output is {@code [-1, classes]}; a network ending in feature maps keeps C, H, W. */
    long[] outputShape() {
        var out = model().outputShape();
        if (out.height() == 1 && out.width() == 1) {
            return new long[] {-1, out.channels()};
        }
        return new long[] {-1, out.channels(), out.height(), out.width()};
    }

    /** Stops the batcher once what is queued has run, and closes the model if the server loaded it. */
    @Override
    public synchronized void close() {
        Generation last = current;
        last.batcher().close();
        if (last.owned()) {
            last.model().close();
        }
    }
}
