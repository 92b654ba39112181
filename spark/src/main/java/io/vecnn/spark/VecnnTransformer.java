package io.vecnn.spark;

import io.vecnn.Model;
import io.vecnn.VecnnException;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scores a DataFrame with a VecNN model: an input column of image files' bytes ({@code binaryFile}'s
 * {@code content}), Spark's {@code image} struct, or C x H x W tensors as float or double arrays; adds the logits,
 * the top-k labels and probabilities when the model names its classes, and an error column. A row that cannot be
 * scored keeps its place with its error (unless {@code failOnError}): rows out = rows in. docs/spark.md has the
 * params and the thread settings.
 */
public final class VecnnTransformer extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> modelPath;
    private final Param<String> modelSha256;
    private final Param<String> inputCol;
    private final Param<String> logitsCol;
    private final Param<String> labelsCol;
    private final Param<String> probabilitiesCol;
    private final Param<String> errorCol;
    private final IntParam topK;
    private final IntParam batchSize;
    private final IntParam intraOpThreads;
    private final BooleanParam failOnError;

    public VecnnTransformer() {
        this(Identifiable.randomUID("vecnn"));
    }

    /** The constructor ML persistence calls when it loads a saved transformer or pipeline. */
    public VecnnTransformer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(
                this,
                "modelPath",
                "the .vnn model file: a path every node sees, or a file"
                        + " shipped with --files / addFile (found by its name among the SparkFiles)");
        modelSha256 = new Param<>(
                this,
                "modelSha256",
                "the model file's SHA-256 (hex) the executors check;"
                        + " by default computed on the driver when the job starts");
        inputCol = new Param<>(
                this,
                "inputCol",
                "the input column: binary (JPEG/PNG bytes), Spark's image struct,"
                        + " or array<float>/array<double> of C x H x W values");
        logitsCol = new Param<>(this, "logitsCol", "output column of the model's outputs (array<float>)");
        labelsCol = new Param<>(this, "labelsCol", "output column of the top-k labels, when the model has labels");
        probabilitiesCol = new Param<>(this, "probabilitiesCol", "output column of the top-k probabilities");
        errorCol = new Param<>(this, "errorCol", "output column of why a row could not be scored (null if scored)");
        topK = new IntParam(this, "topK", "labels and probabilities per row; 0 for logits only");
        batchSize = new IntParam(this, "batchSize", "rows per model run within a partition");
        intraOpThreads = new IntParam(
                this,
                "intraOpThreads",
                "threads of the executor's model: 1 runs each task's"
                        + " batches on the task's own thread; N > 1 shares a pool of N among the executor's tasks");
        failOnError = new BooleanParam(
                this,
                "failOnError",
                "fail the job on the first row that cannot be scored"
                        + " instead of putting its error in the error column");
        setDefault(modelSha256, "");
        setDefault(inputCol, "content");
        setDefault(logitsCol, "logits");
        setDefault(labelsCol, "labels");
        setDefault(probabilitiesCol, "probabilities");
        setDefault(errorCol, "error");
        setDefault(topK, 5);
        setDefault(batchSize, 8);
        setDefault(intraOpThreads, 1);
        setDefault(failOnError, false);
    }

    @Override
    public String uid() {
        return uid;
    }

    // Spark finds a stage's params by its public no-argument methods that return a Param.

    public Param<String> modelPath() {
        return modelPath;
    }

    public Param<String> modelSha256() {
        return modelSha256;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> logitsCol() {
        return logitsCol;
    }

    public Param<String> labelsCol() {
        return labelsCol;
    }

    public Param<String> probabilitiesCol() {
        return probabilitiesCol;
    }

    public Param<String> errorCol() {
        return errorCol;
    }

    public IntParam topK() {
        return topK;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public IntParam intraOpThreads() {
        return intraOpThreads;
    }

    public BooleanParam failOnError() {
        return failOnError;
    }

    public VecnnTransformer setModelPath(String value) {
        return with(modelPath, value);
    }

    public VecnnTransformer setModelSha256(String value) {
        return with(modelSha256, value);
    }

    public VecnnTransformer setInputCol(String value) {
        return with(inputCol, value);
    }

    public VecnnTransformer setLogitsCol(String value) {
        return with(logitsCol, value);
    }

    public VecnnTransformer setLabelsCol(String value) {
        return with(labelsCol, value);
    }

    public VecnnTransformer setProbabilitiesCol(String value) {
        return with(probabilitiesCol, value);
    }

    public VecnnTransformer setErrorCol(String value) {
        return with(errorCol, value);
    }

    public VecnnTransformer setTopK(int value) {
        return with(topK, value);
    }

    public VecnnTransformer setBatchSize(int value) {
        return with(batchSize, value);
    }

    public VecnnTransformer setIntraOpThreads(int value) {
        return with(intraOpThreads, value);
    }

    public VecnnTransformer setFailOnError(boolean value) {
        return with(failOnError, value);
    }

    private <T> VecnnTransformer with(Param<T> param, T value) {
        set(param, value);
        return this;
    }

    private String string(Param<String> param) {
        return getOrDefault(param);
    }

    private int integer(IntParam param) {
        return (Integer) getOrDefault(param);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return transformCounting(dataset, null);
    }

    /** As {@link #transform(Dataset)}, counting scored and failed rows as tasks finish (for a progress line). */
    Dataset<Row> transformCounting(Dataset<?> dataset, RowCounters counters) {
        Dataset<Row> frame = dataset.toDF();
        StructType in = frame.schema();
        String sha256 = expectedSha256();
        int threads = positive(intraOpThreads);
        Model model = ExecutorModels.get(string(modelPath), sha256, threads);
        StructType out = outputSchema(in, !model.labels().isEmpty());
        String column = string(inputCol);
        ScoringJob job = new ScoringJob(
                string(modelPath),
                sha256,
                threads,
                InputKind.of(in, column),
                in.fieldIndex(column),
                nameColumn(in),
                positive(batchSize),
                topKColumns(!model.labels().isEmpty()),
                (Boolean) getOrDefault(failOnError),
                counters == null ? null : counters.scored(),
                counters == null ? null : counters.failed());
        return frame.mapPartitions(job, Encoders.row(out));
    }

    private String expectedSha256() {
        String given = string(modelSha256);
        if (!given.isEmpty()) {
            return given;
        }
        if (!isDefined(modelPath)) {
            throw new VecnnException("VecnnTransformer needs modelPath");
        }
        return ModelFiles.sha256(ModelFiles.locate(string(modelPath)));
    }

    /** A column that names a row in error messages: binaryFile's path, when the DataFrame has one. */
    private int nameColumn(StructType in) {
        List<String> names = Arrays.asList(in.fieldNames());
        return names.contains("path") ? in.fieldIndex("path") : -1;
    }

    private int positive(IntParam param) {
        int value = integer(param);
        if (value < 1) {
            throw new VecnnException(param.name() + " must be at least 1, got " + value);
        }
        return value;
    }

    private int topKColumns(boolean hasLabels) {
        int k = integer(topK);
        if (k < 0) {
            throw new VecnnException("topK must be 0 or more, got " + k);
        }
        return hasLabels ? k : 0;
    }

    /**
     * Without loading the model the schema cannot say whether it has labels; it lists the label columns as long
     * as topK asks for them, and {@link #transform} drops them for a model without labels.
     */
    @Override
    public StructType transformSchema(StructType schema) {
        InputKind.of(schema, string(inputCol));
        return outputSchema(schema, true);
    }

    private StructType outputSchema(StructType in, boolean hasLabels) {
        List<StructField> fields = new ArrayList<>(Arrays.asList(in.fields()));
        fields.add(DataTypes.createStructField(
                string(logitsCol), DataTypes.createArrayType(DataTypes.FloatType, false), true));
        if (topKColumns(hasLabels) > 0) {
            fields.add(DataTypes.createStructField(
                    string(labelsCol), DataTypes.createArrayType(DataTypes.StringType, false), true));
            fields.add(DataTypes.createStructField(
                    string(probabilitiesCol), DataTypes.createArrayType(DataTypes.FloatType, false), true));
        }
        fields.add(DataTypes.createStructField(string(errorCol), DataTypes.StringType, true));
        for (StructField added : fields.subList(in.fields().length, fields.size())) {
            if (Arrays.asList(in.fieldNames()).contains(added.name())) {
                throw new VecnnException("output column '" + added.name() + "' is already in the DataFrame");
            }
        }
        return DataTypes.createStructType(fields);
    }

    @Override
    public VecnnTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<VecnnTransformer> read() {
        return new DefaultParamsReader<>();
    }

    public static VecnnTransformer load(String path) {
        return read().load(path);
    }
}
