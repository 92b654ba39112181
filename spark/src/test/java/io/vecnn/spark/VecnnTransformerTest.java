package io.vecnn.spark;

import io.vecnn.InputSpec;
import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.image.DecodedImage;
import io.vecnn.image.ImageDecoder;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transformer on a real local[2] session, 200 rows in all: every good row's logits must be what the
 * runtime's own Model gives for that input on its own, bad rows must carry their error, and no row is lost.
 * LeNet-5 has no 3x3 convolution, so kernel measurement has no choice to make (ConvAlgorithms): the reference
 * model and the executors' model run the same kernels.
 */
class VecnnTransformerTest {
    private static final int IMAGE_ROWS = 100;
    private static final int TENSOR_ROWS = 100;

    @TempDir
    static Path dir;

    static Path modelFile;
    static Model reference;
    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        modelFile = TestModels.lenet(dir, 1000);
        reference = Model.load(modelFile, 1);
        spark = TestSpark.session();
    }

    @AfterAll
    static void tearDown() {
        reference.close();
    }

    /** JPEGs and PNGs, every tenth row corrupt (a truncated JPEG, text, or null), over three partitions. */
    static Dataset<Row> imageRows() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < IMAGE_ROWS; i++) {
            byte[] bytes = TestImages.encoded(i % 2 == 0 ? "jpg" : "png", i);
            if (i % 10 == 3) {
                bytes = Arrays.copyOf(bytes, bytes.length / 3);
            } else if (i % 10 == 7) {
                bytes = "not an image".getBytes();
            }
            rows.add(RowFactory.create(i, "img" + i, i % 20 == 9 ? null : bytes));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType, false)
                .add("path", DataTypes.StringType, false)
                .add("content", DataTypes.BinaryType, true);
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    /** C x H x W float tensors; every tenth has one value too few or too many. */
    static Dataset<Row> tensorRows() {
        int length = Math.toIntExact(reference.inputShape().size());
        List<Row> rows = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < TENSOR_ROWS; i++) {
            int n = i % 10 == 5 ? length + (i % 20 == 5 ? 1 : -1) : length;
            List<Float> values = new ArrayList<>(n);
            for (int v = 0; v < n; v++) {
                values.add((float) random.nextGaussian());
            }
            rows.add(RowFactory.create(i, values));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType, false)
                .add("tensor", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    static VecnnTransformer transformer() {
        return new VecnnTransformer().setModelPath(modelFile.toString()).setBatchSize(4);
    }

    @Test
    void imagesScoreAsTheModelScoresThemAlone() {
        Dataset<Row> input = imageRows();
        List<Row> out = transformer().transform(input).orderBy("id").collectAsList();

        assertEquals(IMAGE_ROWS, out.size());
        InputSpec spec = reference.inputSpec();
        int bad = 0;
        for (Row row : out) {
            int id = row.getInt(0);
            if (id % 10 == 3 || id % 10 == 7 || id % 20 == 9) {
                bad++;
                assertNull(row.getAs("logits"), "row " + id);
                String error = row.getAs("error");
                assertNotNull(error, "row " + id);
                assertTrue(
                        id % 20 == 9 ? error.equals("input is null") : error.startsWith("cannot decode the image"),
                        "row " + id + ": " + error);
                continue;
            }
            float[] x = new float[spec.preprocessing().length()];
            spec.preprocessing().writeNchw(ImageDecoder.decode((byte[]) row.getAs("content")), x, 0);
            assertNull(row.getAs("error"), "row " + id);
            assertClose(reference.run(x, 1), row.getList(row.fieldIndex("logits")), "row " + id);
            assertEquals(5, row.getList(row.fieldIndex("labels")).size());
        }
        assertEquals(25, bad);
    }

    @Test
    void tensorsScoreAsTheModelScoresThemAloneAndMisShapedOnesCarryTheirError() {
        List<Row> out = transformer()
                .setInputCol("tensor")
                .transform(tensorRows())
                .orderBy("id")
                .collectAsList();

        assertEquals(TENSOR_ROWS, out.size());
        int length = Math.toIntExact(reference.inputShape().size());
        for (Row row : out) {
            int id = row.getInt(0);
            List<Float> tensor = row.getList(1);
            if (id % 10 == 5) {
                assertNull(row.getAs("logits"));
                assertEquals(
                        "tensor has " + tensor.size() + " values; the model's input " + reference.inputShape()
                                + " needs " + length,
                        row.getAs("error"));
                continue;
            }
            float[] x = new float[length];
            for (int i = 0; i < length; i++) {
                x[i] = tensor.get(i);
            }
            assertClose(reference.run(x, 1), row.getList(row.fieldIndex("logits")), "row " + id);
        }
    }

    @Test
    void sparkImageStructsScoreAsTheirEncodedFiles() {
        List<Row> rows = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        InputSpec spec = reference.inputSpec();
        for (int i = 0; i < 6; i++) {
            byte[] file = TestImages.encoded("png", 100 + i);
            DecodedImage image = ImageDecoder.decode(file);
            byte[] rgb = image.rgb();
            byte[] bgr = new byte[rgb.length];
            for (int p = 0; p < rgb.length; p += 3) {
                bgr[p] = rgb[p + 2];
                bgr[p + 1] = rgb[p + 1];
                bgr[p + 2] = rgb[p];
            }
            // Spark's image source: origin, height, width, nChannels, mode (16 = OpenCV's CV_8UC3), data.
            rows.add(RowFactory.create(i, RowFactory.create("img" + i, image.height(), image.width(), 3, 16, bgr)));
            float[] x = new float[spec.preprocessing().length()];
            spec.preprocessing().writeNchw(ImageDecoder.decode(file), x, 0);
            expected.add(reference.run(x, 1));
        }
        StructType schema = new StructType()
                .add("id", DataTypes.IntegerType, false)
                .add("image", ImageSchema.columnSchema(), false);

        List<Row> out = transformer()
                .setInputCol("image")
                .transform(spark.createDataFrame(rows, schema))
                .orderBy("id")
                .collectAsList();

        for (Row row : out) {
            assertNull(row.getAs("error"));
            assertClose(expected.get(row.getInt(0)), row.getList(row.fieldIndex("logits")), "image " + row.getInt(0));
        }
    }

    @Test
    void topLabelsAreTheLargestLogitsWithSoftmaxProbabilities() {
        Row row = transformer()
                .setInputCol("tensor")
                .setTopK(3)
                .transform(tensorRows())
                .orderBy("id")
                .first();
        List<Float> logits = row.getList(row.fieldIndex("logits"));
        Integer[] order = new Integer[logits.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(logits.get(b), logits.get(a)));
        double sum = logits.stream()
                .mapToDouble(v -> Math.exp(v - logits.get(order[0])))
                .sum();
        List<String> labels = row.getList(row.fieldIndex("labels"));
        List<Float> probabilities = row.getList(row.fieldIndex("probabilities"));
        for (int k = 0; k < 3; k++) {
            assertEquals(reference.labels().get(order[k]), labels.get(k));
            assertEquals(Math.exp(logits.get(order[k]) - logits.get(order[0])) / sum, probabilities.get(k), 1e-6);
        }
    }

    @Test
    void failOnErrorFailsTheJobNamingTheRow() {
        Dataset<Row> scored = transformer().setFailOnError(true).transform(imageRows());

        Exception e = assertThrows(Exception.class, scored::collectAsList);
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("cannot be scored: "), message);
        assertTrue(message.matches("(?s).*\\(img\\d+\\) cannot be scored.*"), message);
    }

    @Test
    void aModelWithoutLabelsGivesLogitsAndErrorOnly() {
        Path unlabelled = TestModels.lenet(dir, 10);
        Dataset<Row> out = new VecnnTransformer()
                .setModelPath(unlabelled.toString())
                .setInputCol("tensor")
                .transform(tensorRows());

        assertEquals(List.of("id", "tensor", "logits", "error"), Arrays.asList(out.columns()));
        assertEquals(10, out.filter("error is null").first().getList(2).size());
    }

    @Test
    void aModelShippedWithAddFileIsFoundByItsName() throws Exception {
        Path shipped = Files.copy(modelFile, dir.resolve("shipped-lenet.vnn"));
        spark.sparkContext().addFile(shipped.toString());
        Files.delete(shipped);

        List<Row> viaSparkFiles = new VecnnTransformer()
                .setModelPath("/no/such/folder/shipped-lenet.vnn")
                .setInputCol("tensor")
                .transform(tensorRows())
                .orderBy("id")
                .collectAsList();

        assertEquals(
                transformer()
                        .setInputCol("tensor")
                        .transform(tensorRows())
                        .orderBy("id")
                        .collectAsList(),
                viaSparkFiles);
    }

    @Test
    void aWrongChecksumStopsTheJob() {
        VecnnTransformer wrong = transformer().setModelSha256("00".repeat(32));
        Dataset<Row> input = tensorRows();

        Exception e =
                assertThrows(VecnnException.class, () -> wrong.transform(input).collectAsList());
        assertTrue(e.getMessage().contains("this node sees another file"), e.getMessage());
    }

    @Test
    void aSavedAndLoadedPipelineScoresTheSame() throws Exception {
        VecnnTransformer stage = transformer().setInputCol("tensor").setTopK(2).setBatchSize(7);
        PipelineModel fitted =
                new Pipeline().setStages(new PipelineStage[] {stage}).fit(tensorRows());
        String saved = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(saved);

        PipelineModel loaded = PipelineModel.load(saved);

        VecnnTransformer loadedStage = (VecnnTransformer) loaded.stages()[0];
        assertEquals(7, loadedStage.getOrDefault(loadedStage.batchSize()));
        assertEquals(
                fitted.transform(tensorRows()).orderBy("id").collectAsList(),
                loaded.transform(tensorRows()).orderBy("id").collectAsList());
    }

    /** Equal within 1e-6 of the row's largest logit: batching must not change what a row scores. */
    static void assertClose(float[] expected, List<Float> actual, String row) {
        assertEquals(expected.length, actual.size(), row);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), 1e-6 * scale, row + " logit " + i);
        }
    }
}
