package io.vecnn.tools;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.VecnnException;
import io.vecnn.npy.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

@Command(name = "predict", description = "Run a model on an NCHW float32 .npy batch and write the logits as .npy.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "the model file (.vnn)")
    Path modelPath;

    @Option(names = "--input", required = true, description = "float32 NCHW batch (.npy)")
    Path input;

    @Option(names = "--out", required = true, description = "where to write the output (.npy)")
    Path out;

    @Option(
            names = "--reference",
            description = "run the reference executor (plain loops, slow) instead of the "
                    + "fast kernels: for checking a result you doubt")
    boolean reference;

    @Override
    public Integer call() {
        try (Model model = Model.load(modelPath)) {
            return predict(model);
        }
    }

    private int predict(Model model) {
        Npy.Array x = Npy.read(input);
        Shape s = model.inputShape();
        int[] shape = x.shape();
        if (shape.length != 4 || shape[1] != s.channels() || shape[2] != s.height() || shape[3] != s.width()) {
            throw new VecnnException(input + " has shape " + Arrays.toString(shape) + "; the model takes [N, "
                    + s.channels() + ", " + s.height() + ", " + s.width() + "]");
        }
        long start = System.nanoTime();
        Tensor nhwc = Tensor.fromNchw(x.data(), shape[0], shape[1], shape[2], shape[3]);
        float[] y = (reference ? model.runReference(nhwc) : model.run(nhwc)).toNchw();
        double ms = (System.nanoTime() - start) / 1e6;
        int classes = y.length / shape[0];
        Npy.write(out, new int[] {shape[0], classes}, y);
        System.out.printf(
                "wrote %s: [%d, %d] in %.1f ms (%s)%n",
                out, shape[0], classes, ms, reference ? "reference executor" : "fast kernels");
        return 0;
    }
}
