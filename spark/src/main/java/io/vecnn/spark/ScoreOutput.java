package io.vecnn.spark;

import io.vecnn.VecnnException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes the scores all or nothing: Spark writes a hidden folder beside the output, which is renamed to the
 * output only when every task has succeeded, so a failed or interrupted job never leaves a partial result
 * under the output's name.
 */
final class ScoreOutput {
    /** The formats {@code --format} takes; jsonl is Spark's JSON writer (one object per line). */
    enum Format {
        parquet,
        jsonl,
        csv
    }

    private ScoreOutput() {}

    static void write(Dataset<Row> scores, String output, Format format, Configuration hadoop) {
        Path target = new Path(output);
        try {
            FileSystem fs = target.getFileSystem(hadoop);
            if (fs.exists(target)) {
                throw new VecnnException(output + " already exists; vecnn score writes a new folder");
            }
            Path temporary = new Path(target.getParent(), "." + target.getName() + ".tmp-" + UUID.randomUUID());
            try {
                writer(scores, format).save(temporary.toString());
                if (!fs.rename(temporary, target)) {
                    throw new VecnnException("cannot rename " + temporary + " to " + output);
                }
            } finally {
                if (fs.exists(temporary)) {
                    fs.delete(temporary, true);
                }
            }
        } catch (IOException e) {
            throw new VecnnException("cannot write " + output + ": " + e.getMessage(), e);
        }
    }

    private static org.apache.spark.sql.DataFrameWriter<Row> writer(Dataset<Row> scores, Format format) {
        return switch (format) {
            case parquet -> scores.write().format("parquet");
            case jsonl -> scores.write().format("json");
            case csv -> arraysAsText(scores).write().format("csv").option("header", "true");
        };
    }

    /** CSV has no arrays: an array column becomes its text, such as {@code [0.1, -2.5]}. */
    private static Dataset<Row> arraysAsText(Dataset<Row> scores) {
        List<Column> columns = new ArrayList<>();
        for (StructField field : scores.schema().fields()) {
            Column column = functions.col(field.name());
            columns.add(
                    field.dataType() instanceof ArrayType
                            ? column.cast("string").as(field.name())
                            : column);
        }
        return scores.select(columns.toArray(Column[]::new));
    }
}
