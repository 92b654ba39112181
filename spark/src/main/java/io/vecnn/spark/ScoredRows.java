package io.vecnn.spark;

import io.vecnn.Classification;
import io.vecnn.Model;
import io.vecnn.VecnnException;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A partition's rows, each followed by its scores: reads up to a batch of rows, runs the good ones through the
 * model in one call, and gives every row back in its order, a row that could not be scored with its error
 * (or, with failOnError, fails the task naming the row). Lazy: a partition is never held in memory whole.
 */
final class ScoredRows implements Iterator<Row> {
    private final ScoringJob job;
    private final Model model;
    private final Iterator<Row> input;
    private final RowInput rowInput;
    private final int classes;
    private final List<String> labels;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private final int partition;
    private long rowNumber;

    ScoredRows(ScoringJob job, Model model, Iterator<Row> input) {
        this.job = job;
        this.model = model;
        this.input = input;
        this.rowInput = new RowInput(job.kind(), job.column(), model.inputSpec());
        this.classes = Math.toIntExact(model.outputShape().size());
        this.labels = model.labels();
        TaskContext task = TaskContext.get();
        this.partition = task == null ? 0 : task.partitionId();
    }

    @Override
    public boolean hasNext() {
        if (ready.isEmpty() && input.hasNext()) {
            scoreBatch();
        }
        return !ready.isEmpty();
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    private void scoreBatch() {
        List<Row> rows = new ArrayList<>(job.batchSize());
        while (rows.size() < job.batchSize() && input.hasNext()) {
            rows.add(input.next());
        }
        int length = rowInput.length();
        float[] values = new float[rows.size() * length];
        String[] errors = new String[rows.size()];
        int good = 0;
        for (int r = 0; r < rows.size(); r++) {
            try {
                rowInput.write(rows.get(r), values, good * length);
                good++;
            } catch (RowProblem e) {
                errors[r] = e.getMessage();
                if (job.failOnError()) {
                    throw new VecnnException("row " + (rowNumber + r) + " of partition " + partition + name(rows.get(r))
                            + " cannot be scored: " + e.getMessage());
                }
            }
        }
        float[] logits = good == 0 ? new float[0] : model.run(trimmed(values, good * length), good);
        int at = 0;
        for (int r = 0; r < rows.size(); r++) {
            ready.add(
                    errors[r] == null
                            ? scoredRow(rows.get(r), logits, at++ * classes)
                            : failedRow(rows.get(r), errors[r]));
        }
        rowNumber += rows.size();
        count(good, rows.size() - good);
    }

    private static float[] trimmed(float[] values, int length) {
        return values.length == length ? values : Arrays.copyOf(values, length);
    }

    private String name(Row row) {
        return job.nameColumn() < 0 || row.isNullAt(job.nameColumn()) ? "" : " (" + row.get(job.nameColumn()) + ")";
    }

    private Row scoredRow(Row row, float[] logits, int offset) {
        float[] scores = Arrays.copyOfRange(logits, offset, offset + classes);
        if (job.topK() == 0) {
            return extended(row, scores, null);
        }
        List<Classification> best = Classification.topK(logits, offset, classes, job.topK(), labels);
        String[] names = new String[best.size()];
        float[] probabilities = new float[best.size()];
        for (int k = 0; k < best.size(); k++) {
            names[k] = best.get(k).label();
            probabilities[k] = best.get(k).probability();
        }
        return extended(row, scores, null, names, probabilities);
    }

    private Row failedRow(Row row, String error) {
        return job.topK() == 0 ? extended(row, null, error) : extended(row, null, error, null, null);
    }

    /**
     * The row's own values, then logits, [labels, probabilities,] error: the order of the output schema. Arrays,
     * not lists: Spark's row encoder takes Scala sequences or Java arrays for array columns.
     */
    private static Row extended(Row row, float[] logits, String error, Object... topK) {
        Object[] values = new Object[row.length() + 2 + topK.length];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        int at = row.length();
        values[at++] = logits;
        for (Object column : topK) {
            values[at++] = column;
        }
        values[at] = error;
        return RowFactory.create(values);
    }

    private void count(int scored, int failed) {
        if (job.scored() != null) {
            job.scored().add(scored);
        }
        if (job.failed() != null) {
            job.failed().add(failed);
        }
    }
}
