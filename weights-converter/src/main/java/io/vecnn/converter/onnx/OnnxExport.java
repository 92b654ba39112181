package io.vecnn.converter.onnx;

import io.vecnn.converter.ModelConversion;
import io.vecnn.graph.Graph;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.AtomicWrite;

import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a VecNN graph and its weights as an ONNX model (opset 13) that takes the NCHW input the PyTorch
 * network takes, named {@code input} with a symbolic {@code batch} dimension, and returns {@code output}
 * ({@code batch × classes} for a classifier), as {@code torch.onnx.export} would. Weights are stored in
 * PyTorch's layouts. An op or configuration ONNX cannot express fails with a
 * {@link io.vecnn.VecnnException} naming the node.
 */
public final class OnnxExport {
    /** The operator set the nodes are written against. */
    public static final int OPSET = 13;
    /** The IR version of ONNX 1.8, the release that introduced opset 13. */
    public static final int IR_VERSION = 7;
    /** The name of the model's input. */
    public static final String INPUT = OnnxGraphMapping.INPUT;
    /** The name of the model's output. */
    public static final String OUTPUT = OnnxGraphMapping.OUTPUT;

    private OnnxExport() {}

    /** The serialized {@code ModelProto}, for runtimes that load a model from memory. */
    public static byte[] toBytes(Graph graph, Map<String, WeightTensor> weights) {
        return model(graph, weights).toByteArray();
    }

    /** Writes the model to {@code out} atomically: readers see no file or the whole of it. */
    public static void write(Graph graph, Map<String, WeightTensor> weights, Path out) {
        ProtoMessage model = model(graph, weights);
        AtomicWrite.write(out, model::writeTo);
    }

    private static ProtoMessage model(Graph graph, Map<String, WeightTensor> weights) {
        return OnnxProtos.model(
                IR_VERSION, OPSET, "vecnn", ModelConversion.CONVERTER_VERSION, OnnxGraphMapping.map(graph, weights));
    }
}
