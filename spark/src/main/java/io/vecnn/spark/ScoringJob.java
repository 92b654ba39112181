package io.vecnn.spark;

import io.vecnn.Model;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;
import java.util.Iterator;

/**
 * What an executor needs to score a partition, shipped from the driver with the task. The model itself is not
 * shipped: each executor loads it once ({@link ExecutorModels}) from the path and checks the checksum.
 *
 * @param modelPath   the model file: a path every node sees, or a file shipped with --files
 * @param sha256      the file's checksum, computed on the driver
 * @param threads     the executor's intra-op threads (1: each task computes on its own thread)
 * @param kind        what the input column holds
 * @param column      the input column's index
 * @param nameColumn  a column naming the row in error messages (path, origin), or -1
 * @param batchSize   rows per model run
 * @param topK        labels and probabilities per row, or 0 for none
 * @param failOnError whether a row that cannot be scored fails the job instead of carrying its error
 * @param scored      counts rows scored, or null
 * @param failed      counts rows that carry an error, or null
 */
record ScoringJob(
        String modelPath,
        String sha256,
        int threads,
        InputKind kind,
        int column,
        int nameColumn,
        int batchSize,
        int topK,
        boolean failOnError,
        LongAccumulator scored,
        LongAccumulator failed)
        implements MapPartitionsFunction<Row, Row>, Serializable {

    Model model() {
        return ExecutorModels.get(modelPath, sha256, threads);
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new ScoredRows(this, model(), rows);
    }
}
