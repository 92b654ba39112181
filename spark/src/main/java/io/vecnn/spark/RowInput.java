package io.vecnn.spark;

import io.vecnn.InputSpec;
import io.vecnn.VecnnException;
import io.vecnn.image.ImageDecoder;
import org.apache.spark.sql.Row;

import java.util.List;

/** Turns one row's input cell into the model's input values, with the model's own preprocessing for images. */
final class RowInput {
    private final InputKind kind;
    private final int column;
    private final InputSpec spec;
    private final int length;

    RowInput(InputKind kind, int column, InputSpec spec) {
        this.kind = kind;
        this.column = column;
        this.spec = spec;
        this.length = Math.toIntExact(spec.shape().size());
    }

    int length() {
        return length;
    }

    /**
     * Writes the row's input into {@code out} from {@code offset}.
     *
     * @throws RowProblem when the cell is null, not a decodable image, or a tensor of another size
     */
    void write(Row row, float[] out, int offset) {
        if (row.isNullAt(column)) {
            throw new RowProblem("input is null");
        }
        switch (kind) {
            case ENCODED_IMAGE -> writeImage(row, out, offset);
            case IMAGE_STRUCT -> spec.preprocessing().writeNchw(SparkImages.toRgb(row.getStruct(column)), out, offset);
            case FLOAT_TENSOR, DOUBLE_TENSOR -> writeTensor(row.getList(column), out, offset);
        }
    }

    private void writeImage(Row row, float[] out, int offset) {
        try {
            spec.preprocessing().writeNchw(ImageDecoder.decode((byte[]) row.get(column)), out, offset);
        } catch (VecnnException e) {
            throw new RowProblem("cannot decode the image: " + e.getMessage());
        }
    }

    private void writeTensor(List<?> values, float[] out, int offset) {
        if (values.size() != length) {
            throw new RowProblem(
                    "tensor has " + values.size() + " values; the model's input " + spec.shape() + " needs " + length);
        }
        for (int i = 0; i < length; i++) {
            Object v = values.get(i);
            if (v == null) {
                throw new RowProblem("tensor value " + i + " is null");
            }
            out[offset + i] = ((Number) v).floatValue();
        }
    }
}
