package io.vecnn.serve;

import io.vecnn.InputSpec;
import io.vecnn.Model;
import io.vecnn.image.ImageTransform;

import java.util.List;
import java.util.Map;

/**
 * A model behind the server: its name in URLs, the model, and the batcher its requests queue in. The
 * model's shape, labels and preprocessing are read from the model itself.
 */
final class ServedModel implements AutoCloseable {
    /** The one version each served model has, as the protocol's versioned paths name it. */
    static final String VERSION = "1";

    private final String name;
    private final Model model;
    private final DynamicBatcher batcher;
    private final List<String> labels;
    private final ImageTransform transform;

    ServedModel(String name, Model model, BatchingConfig batching, ServerMetrics metrics) {
        this.name = name;
        this.model = model;
        InputSpec spec = model.inputSpec();
        this.labels = spec.labels();
        this.transform = spec.preprocessing();
        // The first run builds the plan (kernel choice by measurement, packed weights): do it before the
        // server reports ready, not on the first client's time.
        model.run(new float[inputValues()], 1, new float[outputValues()]);
        this.batcher = new DynamicBatcher(name, model, batching, metrics);
    }

    /** The model served as {@code name}, or a 404 naming the models there are. */
    static ServedModel named(Map<String, ServedModel> models, String name) {
        ServedModel model = models.get(name);
        if (model == null) {
            throw new HttpError(404, "unknown model '" + name + "'; this server has " + models.keySet());
        }
        return model;
    }

    String name() {
        return name;
    }

    Model model() {
        return model;
    }

    DynamicBatcher batcher() {
        return batcher;
    }

    List<String> labels() {
        return labels;
    }

    /** How an image posted to the model becomes its input. */
    ImageTransform transform() {
        return transform;
    }

    /** Values per image in and out. */
    int inputValues() {
        return Math.toIntExact(model.inputShape().size());
    }

    int outputValues() {
        return Math.toIntExact(model.outputShape().size());
    }

    /** The input shape in the protocol's form: a variable batch, then C, H, W. */
    long[] inputShape() {
        return new long[] {-1, model.inputShape().channels(), model.inputShape().height(), model.inputShape().width()};
    }

    /** A classifier's output is {@code [-1, classes]}; a network ending in feature maps keeps C, H, W. */
    long[] outputShape() {
        var out = model.outputShape();
        if (out.height() == 1 && out.width() == 1) {
            return new long[] {-1, out.channels()};
        }
        return new long[] {-1, out.channels(), out.height(), out.width()};
    }

    @Override
    public void close() {
        batcher.close();
    }
}
