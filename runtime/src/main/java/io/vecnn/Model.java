package io.vecnn;

import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Shape;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A loaded network, ready to run. A model is immutable: load it once and share it between all threads
 * of a server; concurrent {@code run} calls do not interfere.
 *
 * <pre>{@code
 * Model model = Model.load(Path.of("resnet18.vnn"));
 * float[] logits = model.run(nchwPixels, 1);   // [batch][classes]
 * }</pre>
 */
public final class Model {
    private final ModelFile file;

    private Model(ModelFile file) {
        this.file = file;
    }

    /** Loads and validates a model file written by {@code vecnn convert}. */
    public static Model load(Path path) {
        return new Model(ModelFile.read(path));
    }

    /** Wraps a model file already in memory (the converter uses this to run what it is about to write). */
    public static Model of(ModelFile file) {
        return new Model(file);
    }

    /** The shape of one input image, channels first: {@code 3x224x224}. */
    public Shape inputShape() {
        return file.graph().inputShape();
    }

    /** Class names of the outputs, or an empty list when the model file has none. */
    public List<String> labels() {
        return file.labels();
    }

    public Graph graph() {
        return file.graph();
    }

    public Map<String, WeightTensor> weights() {
        return file.weights();
    }

    public Map<String, String> provenance() {
        return file.provenance();
    }

    /**
     * Runs a batch given in PyTorch's NCHW order at the model's input shape.
     *
     * @param nchw  {@code batch × C × H × W} values
     * @param batch number of images
     * @return the output in PyTorch's order: for a classifier, {@code batch × classes} logits
     */
    public float[] run(float[] nchw, int batch) {
        if (nchw == null) {
            throw new VecnnException("input is null");
        }
        if (batch <= 0) {
            throw new VecnnException("batch size must be positive, got " + batch);
        }
        Shape s = inputShape();
        long expected = batch * s.size();
        if (nchw.length != expected) {
            throw new VecnnException("input has " + nchw.length + " values; a batch of " + batch + " at "
                    + s + " needs " + expected);
        }
        return run(Tensor.fromNchw(nchw, batch, s.channels(), s.height(), s.width())).toNchw();
    }

    /** Runs a batch given as an NHWC tensor; returns the NHWC output (a classifier's is {@code N×1×1×classes}). */
    public Tensor run(Tensor nhwc) {
        if (nhwc == null) {
            throw new VecnnException("input is null");
        }
        if (nhwc.channels() != inputShape().channels()) {
            throw new VecnnException("input has " + nhwc.channels() + " channels, the model takes "
                    + inputShape().channels());
        }
        return ReferenceExecutor.run(file.graph(), file.weights(), nhwc);
    }
}
