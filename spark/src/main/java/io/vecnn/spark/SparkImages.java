package io.vecnn.spark;

import io.vecnn.image.DecodedImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;
import java.util.List;

/**
 * Spark's {@code image} data source struct (origin, height, width, nChannels, mode, data) as the runtime's
 * {@link DecodedImage}: only the pixel layout changes (OpenCV's BGR or BGRA or grey, row by row, to RGB), so
 * the model's own {@code ImageTransform} does all preprocessing, exactly as for encoded files.
 */
final class SparkImages {
    private static final List<String> FIELDS = List.of("height", "width", "nChannels", "data");

    private SparkImages() {}

    static boolean isImageStruct(StructType struct) {
        return Arrays.asList(struct.fieldNames()).containsAll(FIELDS);
    }

    static DecodedImage toRgb(Row image) {
        int height = image.getInt(image.fieldIndex("height"));
        int width = image.getInt(image.fieldIndex("width"));
        int channels = image.getInt(image.fieldIndex("nChannels"));
        byte[] data = (byte[]) image.get(image.fieldIndex("data"));
        if (channels != 1 && channels != 3 && channels != 4) {
            throw new RowProblem("image struct has " + channels + " channels; Spark's image source gives 1, 3 or 4");
        }
        if (height <= 0 || width <= 0 || data == null || data.length != (long) height * width * channels) {
            throw new RowProblem("image struct of " + width + "x" + height + "x" + channels + " holds "
                    + (data == null ? "no" : String.valueOf(data.length)) + " bytes of data");
        }
        byte[] rgb = new byte[height * width * 3];
        for (int p = 0, n = height * width; p < n; p++) {
            int at = p * channels;
            if (channels == 1) {
                rgb[p * 3] = rgb[p * 3 + 1] = rgb[p * 3 + 2] = data[at];
            } else {
                rgb[p * 3] = data[at + 2];
                rgb[p * 3 + 1] = data[at + 1];
                rgb[p * 3 + 2] = data[at];
            }
        }
        return new DecodedImage(width, height, rgb);
    }
}
