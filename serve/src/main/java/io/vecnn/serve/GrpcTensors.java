package io.vecnn.serve;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.vecnn.serve.grpc.InferTensorContents;
import io.vecnn.serve.grpc.ModelInferRequest;
import io.vecnn.serve.grpc.ModelInferResponse;
import io.vecnn.serve.grpc.ModelMetadataResponse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tensors between the gRPC messages and the server's own request form: a {@link ModelInferRequest} becomes the
 * {@link V2InferRequest} the REST route parses its JSON into (so one {@link V2Routes#validate} checks both), and
 * logits become a {@link ModelInferResponse}. An input comes either raw ({@code raw_input_contents}: the
 * elements as little-endian bytes) or typed ({@code contents.fp32_contents}); as the protocol asks, the outputs
 * are raw when the inputs were, typed otherwise.
 */
final class GrpcTensors {
    private GrpcTensors() {}

    /** The request as {@link V2Routes#validate} takes it; what only gRPC can get wrong is refused here (400). */
    static V2InferRequest read(ModelInferRequest request) {
        int raw = request.getRawInputContentsCount();
        if (raw > 0 && raw != request.getInputsCount()) {
            throw new HttpError(
                    400,
                    "raw_input_contents has " + raw + " entries for " + request.getInputsCount()
                            + " inputs; give one per input, in the order of inputs");
        }
        List<V2InferRequest.Input> inputs = new ArrayList<>(request.getInputsCount());
        for (int i = 0; i < request.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor in = request.getInputs(i);
            long[] shape = in.getShapeList().stream().mapToLong(Long::longValue).toArray();
            float[] data = null;
            if (in.getDatatype().equals("FP32")) {
                data = raw > 0 ? raw(in, shape, request.getRawInputContents(i)) : typed(in);
            }
            inputs.add(new V2InferRequest.Input(in.getName(), shape, in.getDatatype(), null, data));
        }
        List<V2InferRequest.Output> outputs = new ArrayList<>(request.getOutputsCount());
        for (ModelInferRequest.InferRequestedOutputTensor out : request.getOutputsList()) {
            outputs.add(new V2InferRequest.Output(out.getName(), null));
        }
        return new V2InferRequest(request.getId().isEmpty() ? null : request.getId(), null, inputs, outputs);
    }

    private static float[] raw(ModelInferRequest.InferInputTensor in, long[] shape, ByteString bytes) {
        if (in.hasContents() && in.getContents().getFp32ContentsCount() > 0) {
            throw new HttpError(
                    400, "input '" + in.getName() + "' has both contents and raw_input_contents; send one of them");
        }
        long elements = elements(shape);
        if (elements < 0 || bytes.size() != elements * Float.BYTES) {
            throw new HttpError(
                    400,
                    "input '" + in.getName() + "' of shape " + Arrays.toString(shape) + " and datatype FP32 needs "
                            + (elements < 0 ? "a valid shape" : elements * Float.BYTES + " bytes")
                            + " of raw_input_contents, it has " + bytes.size());
        }
        float[] data = new float[(int) elements];
        bytes.asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(data);
        return data;
    }

    private static float[] typed(ModelInferRequest.InferInputTensor in) {
        InferTensorContents contents = in.getContents();
        if (contents.getFp32ContentsCount() == 0) {
            throw new HttpError(
                    400, "input '" + in.getName() + "' has neither raw_input_contents nor contents.fp32_contents");
        }
        float[] data = new float[contents.getFp32ContentsCount()];
        for (int i = 0; i < data.length; i++) {
            data[i] = contents.getFp32Contents(i);
        }
        return data;
    }

    /** The number of elements of {@code shape}, or -1 when a dimension is negative or the count passes an int. */
    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n * Float.BYTES > Integer.MAX_VALUE ? -1 : n;
    }

    /** The answer to {@code request}: the logits of {@code images} images, raw if the inputs were. */
    static ModelInferResponse response(ModelInferRequest request, ServedModel model, int images, float[] logits) {
        long[] shape = model.outputShape();
        shape[0] = images;
        ModelInferResponse.InferOutputTensor.Builder tensor = ModelInferResponse.InferOutputTensor.newBuilder()
                .setName(V2Routes.OUTPUT)
                .setDatatype("FP32");
        for (long d : shape) {
            tensor.addShape(d);
        }
        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(model.name())
                .setModelVersion(ServedModel.VERSION)
                .setId(request.getId());
        if (request.getRawInputContentsCount() > 0) {
            byte[] bytes = new byte[logits.length * Float.BYTES];
            ByteBuffer.wrap(bytes)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .put(logits);
            // The array is this response's alone and never written again: no copy.
            response.addOutputs(tensor).addRawOutputContents(UnsafeByteOperations.unsafeWrap(bytes));
        } else {
            InferTensorContents.Builder contents = InferTensorContents.newBuilder();
            for (float v : logits) {
                contents.addFp32Contents(v);
            }
            response.addOutputs(tensor.setContents(contents));
        }
        return response.build();
    }

    static ModelMetadataResponse.TensorMetadata metadata(String name, long[] shape) {
        ModelMetadataResponse.TensorMetadata.Builder t =
                ModelMetadataResponse.TensorMetadata.newBuilder().setName(name).setDatatype("FP32");
        for (long d : shape) {
            t.addShape(d);
        }
        return t.build();
    }
}
