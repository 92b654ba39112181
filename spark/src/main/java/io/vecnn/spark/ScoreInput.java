package io.vecnn.spark;

import io.vecnn.VecnnException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code vecnn score} reads: a Parquet table (a path ending in .parquet), or else image files, a folder
 * (with its subfolders) or a glob, as {@code binaryFile} rows of path and content.
 *
 * @param frame       the rows to score
 * @param inputColumn the column the transformer reads
 * @param keptColumns the columns written beside the scores (the input column's bytes or tensors are not)
 */
record ScoreInput(Dataset<Row> frame, String inputColumn, List<String> keptColumns) {

    static ScoreInput read(SparkSession spark, String input, String inputColumn) {
        if (input.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
            Dataset<Row> table = spark.read().parquet(input);
            String column = inputColumn != null ? inputColumn : onlyScorableColumn(table, input);
            List<String> kept = new ArrayList<>(List.of(table.columns()));
            kept.remove(column);
            return new ScoreInput(table, column, kept);
        }
        Dataset<Row> files = spark.read()
                .format("binaryFile")
                .option("recursiveFileLookup", "true")
                .load(input);
        return new ScoreInput(files, inputColumn != null ? inputColumn : "content", List.of("path"));
    }

    private static String onlyScorableColumn(Dataset<Row> table, String input) {
        List<String> scorable = new ArrayList<>();
        for (StructField field : table.schema().fields()) {
            try {
                InputKind.of(table.schema(), field.name());
                scorable.add(field.name());
            } catch (VecnnException notScorable) {
                // Columns of other types are carried along, not scored.
            }
        }
        if (scorable.size() != 1) {
            throw new VecnnException(input + " has " + (scorable.isEmpty() ? "no" : scorable.size()) + " columns of"
                    + " images or tensors" + (scorable.isEmpty() ? "" : " (" + String.join(", ", scorable) + ")")
                    + "; name the one to score with --input-col");
        }
        return scorable.get(0);
    }
}
