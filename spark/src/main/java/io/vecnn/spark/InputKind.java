package io.vecnn.spark;

import io.vecnn.VecnnException;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/** What the input column holds, read from its Spark type. */
enum InputKind {
    /** A whole JPEG or PNG file: the {@code content} column of {@code spark.read.format("binaryFile")}. */
    ENCODED_IMAGE,
    /** The struct of Spark's {@code image} data source: decoded pixels in OpenCV's BGR order. */
    IMAGE_STRUCT,
    /** One image's model input, channels first (C × H × W values), as floats. */
    FLOAT_TENSOR,
    /** The same as doubles, as Python and most Parquet writers produce them. */
    DOUBLE_TENSOR;

    static InputKind of(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new VecnnException("input column '" + column + "' is not in the DataFrame; its columns are "
                    + String.join(", ", schema.fieldNames()));
        }
        DataType type = schema.apply(column).dataType();
        if (type instanceof BinaryType) {
            return ENCODED_IMAGE;
        }
        if (type instanceof StructType struct && SparkImages.isImageStruct(struct)) {
            return IMAGE_STRUCT;
        }
        if (type instanceof ArrayType array && array.elementType() instanceof FloatType) {
            return FLOAT_TENSOR;
        }
        if (type instanceof ArrayType array && array.elementType() instanceof DoubleType) {
            return DOUBLE_TENSOR;
        }
        throw new VecnnException("input column '" + column + "' is " + type.simpleString() + "; VecNN scores binary"
                + " (image file bytes), Spark's image struct, or array<float> / array<double> (C x H x W values)");
    }
}
