package io.vecnn.converter.onnx;

import java.util.List;

/**
 * The few ONNX messages the exporter writes, with their field numbers from {@code onnx.proto}. Only what
 * a float32 inference graph needs: nodes with integer attributes, float and int64 initializers, and
 * tensor types whose leading dimension may be symbolic.
 */
final class OnnxProtos {
    /** {@code GraphProto} fields. */
    static final int GRAPH_NODE = 1;

    static final int GRAPH_NAME = 2;
    static final int GRAPH_INITIALIZER = 5;
    static final int GRAPH_INPUT = 11;
    static final int GRAPH_OUTPUT = 12;
    /** {@code TensorProto.DataType}. */
    private static final int FLOAT = 1;

    private static final int INT64 = 7;
    /** {@code AttributeProto.AttributeType}. */
    private static final int ATTRIBUTE_INT = 2;

    private static final int ATTRIBUTE_STRING = 3;
    private static final int ATTRIBUTE_INTS = 7;

    private OnnxProtos() {}

    /** {@code NodeProto}: input 1, output 2, name 3, op_type 4, attribute 5. */
    static ProtoMessage node(
            String name, String opType, List<String> inputs, String output, ProtoMessage... attributes) {
        ProtoMessage node = new ProtoMessage();
        inputs.forEach(in -> node.string(1, in));
        node.string(2, output).string(3, name).string(4, opType);
        for (ProtoMessage a : attributes) {
            node.message(5, a);
        }
        return node;
    }

    /** {@code AttributeProto} of type INT: name 1, i 3, type 20. */
    static ProtoMessage attribute(String name, long value) {
        return new ProtoMessage().string(1, name).varint(3, value).varint(20, ATTRIBUTE_INT);
    }

    /** {@code AttributeProto} of type STRING: name 1, s 4, type 20. */
    static ProtoMessage attribute(String name, String value) {
        return new ProtoMessage().string(1, name).string(4, value).varint(20, ATTRIBUTE_STRING);
    }

    /** {@code AttributeProto} of type INTS: name 1, ints 8, type 20. */
    static ProtoMessage attribute(String name, long... values) {
        return new ProtoMessage().string(1, name).packedVarints(8, values).varint(20, ATTRIBUTE_INTS);
    }

    /** {@code TensorProto} of floats: dims 1, data_type 2, name 8, raw_data 9 (little-endian). */
    static ProtoMessage floatTensor(String name, int[] dims, float[] data) {
        long[] longDims = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            longDims[i] = dims[i];
        }
        return new ProtoMessage()
                .packedVarints(1, longDims)
                .varint(2, FLOAT)
                .string(8, name)
                .littleEndianFloats(9, data);
    }

    /** {@code TensorProto} of a 1-d int64 vector: dims 1, data_type 2, int64_data 7, name 8. */
    static ProtoMessage int64Vector(String name, long... values) {
        return new ProtoMessage()
                .packedVarints(1, values.length)
                .varint(2, INT64)
                .packedVarints(7, values)
                .string(8, name);
    }

    /**
     * {@code ValueInfoProto} (name 1, type 2) of a float tensor whose first dimension is the symbolic
     * {@code batchParam}: {@code TypeProto.tensor_type} 1 → elem_type 1, shape 2 → dim 1 → dim_value 1 or
     * dim_param 2.
     */
    static ProtoMessage floatValue(String name, String batchParam, int... dims) {
        ProtoMessage shape = new ProtoMessage().message(1, new ProtoMessage().string(2, batchParam));
        for (int d : dims) {
            shape.message(1, new ProtoMessage().varint(1, d));
        }
        ProtoMessage tensorType = new ProtoMessage().varint(1, FLOAT).message(2, shape);
        return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensorType));
    }

    /**
     * {@code ModelProto}: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8
     * ({@code OperatorSetIdProto}: domain 1, version 2; the empty domain is the standard operator set).
     */
    static ProtoMessage model(long irVersion, long opset, String producer, String producerVersion, ProtoMessage graph) {
        return new ProtoMessage()
                .varint(1, irVersion)
                .string(2, producer)
                .string(3, producerVersion)
                .message(7, graph)
                .message(8, new ProtoMessage().string(1, "").varint(2, opset));
    }
}
