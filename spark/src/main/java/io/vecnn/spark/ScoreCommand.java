package io.vecnn.spark;

import io.vecnn.VecnnException;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(
        name = "score",
        sortOptions = false,
        description = {
            "Score image files or a Parquet table of images or tensors with a model on Spark: an embedded local"
                    + " session by default, or any master. Writes one row per input row (logits, top-k labels"
                    + " and probabilities, error) to a new folder, atomically. docs/spark.md has the details."
        })
public final class ScoreCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "M.vnn", description = "the model file (.vnn)")
    String model;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "DIR|GLOB|TABLE.parquet",
            description = "a folder of images (with subfolders), a glob such as 'photos/*.jpg', or a Parquet table")
    String input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "OUT",
            description = "the folder to write; must not exist")
    String output;

    @Option(
            names = "--format",
            defaultValue = "parquet",
            description = "parquet, jsonl or csv (default: ${DEFAULT-VALUE})")
    ScoreOutput.Format format;

    @Option(
            names = "--top",
            defaultValue = "5",
            paramLabel = "K",
            description = "labels per row (default: ${DEFAULT-VALUE})")
    int top;

    @Option(
            names = "--batch",
            defaultValue = "8",
            paramLabel = "N",
            description = "rows per model run (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(
            names = "--threads",
            defaultValue = "1",
            paramLabel = "N",
            description = "intra-op threads of each executor's model; 1 (default) runs each task on its own thread")
    int threads;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master (default: spark-submit's, else an embedded local[*])")
    String master;

    @Option(
            names = "--input-col",
            paramLabel = "NAME",
            description = "the column to score (default: content for files; the Parquet table's only image or"
                    + " tensor column)")
    String inputColumn;

    @Option(names = "--fail-on-error", description = "stop at the first row that cannot be scored")
    boolean failOnError;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this help (spark-submit runs this command alone, without vecnn's own --help)")
    boolean help;

    @Override
    public Integer call() {
        // A session the caller made (a test, an application) is theirs to stop; one made here is stopped here.
        boolean sessionExisted = SparkSession.getActiveSession().isDefined()
                || SparkSession.getDefaultSession().isDefined();
        SparkSession spark = session();
        try {
            ScoreInput in = ScoreInput.read(spark, input, inputColumn);
            VecnnTransformer transformer = new VecnnTransformer()
                    .setModelPath(model)
                    .setInputCol(in.inputColumn())
                    .setTopK(top)
                    .setBatchSize(batch)
                    .setIntraOpThreads(threads)
                    .setFailOnError(failOnError);
            RowCounters counters = RowCounters.register(spark.sparkContext());
            Dataset<Row> scores = transformer.transformCounting(in.frame(), counters);
            try (ScoreProgress progress = new ScoreProgress(counters, System.err)) {
                ScoreOutput.write(
                        scores.select(outputColumns(in, scores)),
                        output,
                        format,
                        spark.sparkContext().hadoopConfiguration());
            } catch (RuntimeException e) {
                throw vecnnCause(e);
            }
            System.out.println(
                    "wrote " + (counters.scored().value() + counters.failed().value()) + " rows to " + output + " ("
                            + counters.failed().value() + " with an error)");
            return 0;
        } finally {
            if (!sessionExisted) {
                spark.stop();
            }
        }
    }

    private SparkSession session() {
        SparkSession.Builder builder = SparkSession.builder().appName("vecnn score");
        if (master != null) {
            builder.master(master);
        } else if (!new SparkConf().contains("spark.master")) {
            builder.master("local[*]");
        }
        return builder.getOrCreate();
    }

    private static Column[] outputColumns(ScoreInput in, Dataset<Row> scores) {
        List<Column> columns = new ArrayList<>();
        for (String name : in.keptColumns()) {
            columns.add(functions.col(name));
        }
        List<String> original = List.of(in.frame().columns());
        for (String name : scores.columns()) {
            if (!original.contains(name)) {
                columns.add(functions.col(name));
            }
        }
        return columns.toArray(Column[]::new);
    }

    /** A failed Spark job wraps the row's error in a SparkException; the user needs the row's message. */
    private static RuntimeException vecnnCause(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VecnnException v) {
                return new VecnnException(v.getMessage(), e);
            }
        }
        return e;
    }
}
