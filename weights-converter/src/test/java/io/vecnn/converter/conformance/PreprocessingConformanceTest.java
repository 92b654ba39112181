package io.vecnn.converter.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.testing.PythonTorch;
import io.vecnn.image.DecodedImage;
import io.vecnn.image.ImageDecoder;
import io.vecnn.image.ImageTransform;
import io.vecnn.image.Interpolation;
import io.vecnn.npy.Npy;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VecNN's image preprocessing against torchvision's on the same files: every image {@code preprocess_fixtures.py}
 * generates (PNG of each mode, JPEG at each chroma subsampling) and the shared photos, through each evaluation
 * pipeline, decoded by {@link ImageDecoder} and transformed by {@link ImageTransform}. Differences are measured
 * in 8-bit levels of the [0, 1] samples before normalisation. PNG must match to the bit; JPEG may differ by
 * what separates Java's bundled libjpeg from Pillow's libjpeg-turbo.
 */
class PreprocessingConformanceTest {
    // The tests run in weights-converter/; the photos live beside the checkout, and may not be there.
    private static final Path PHOTOS = Path.of("../../shared/fixtures/images");
    private static final double MEAN_LEVELS = 1;
    private static final double MAX_LEVELS = 3;

    /** The pipelines {@link ImageTransform#forModel} must produce, by the script's pipeline names. */
    private static final Map<String, ImageTransform> MODEL_DEFAULTS = Map.of(
            "256/224", ImageTransform.forModel("resnet50", 3, 224, 224),
            "342/299", ImageTransform.forModel("inception_v3", 3, 299, 299),
            "32/32", ImageTransform.forModel("lenet5", 3, 32, 32),
            "grey 32/32", ImageTransform.forModel(null, 1, 32, 32));

    @TempDir
    static Path out;

    private static JsonNode manifest;

    private final Map<String, DecodedImage> decoded = new ConcurrentHashMap<>();

    /** Runs the script once for the class's tests. */
    private static synchronized JsonNode manifest() throws IOException {
        if (manifest == null) {
            PythonTorch.require();
            String summary = PythonTorch.script(
                    "preprocess_fixtures.py", out, PHOTOS.toAbsolutePath().normalize());
            System.out.println("preprocess fixtures: " + summary);
            manifest = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        }
        return manifest;
    }

    @TestFactory
    Stream<DynamicTest> forModelGivesThePublishedWeightsTransforms() throws IOException {
        JsonNode published = manifest().get("published");
        List<String> checked =
                Architectures.names().stream().filter(published::has).collect(Collectors.toList());
        assertTrue(checked.size() > 20, "torchvision publishes weights for most built-ins, found " + checked);
        return checked.stream()
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    JsonNode t = published.get(name);
                    int crop = t.get("crop").asInt();
                    assertEquals(
                            new ImageTransform(
                                    t.get("resize").asInt(),
                                    crop,
                                    crop,
                                    false,
                                    floats(t.get("mean")),
                                    floats(t.get("std")),
                                    Interpolation.valueOf(t.get("interpolation").asText())),
                            ImageTransform.forModel(name, 3, crop, crop),
                            name + "'s published weights' transforms");
                }));
    }

    @TestFactory
    Stream<DynamicTest> decodingAndTransformsMatchTorchvision() throws IOException {
        JsonNode cases = manifest().get("cases");
        assertTrue(cases.size() > 0, "the script wrote no cases");
        return StreamSupport.stream(cases.spliterator(), false)
                .map(c -> DynamicTest.dynamicTest(
                        c.get("name").asText() + " " + c.get("pipeline").asText(), () -> check(c)));
    }

    private void check(JsonNode c) throws IOException {
        String name = c.get("name").asText();
        String pipeline = c.get("pipeline").asText();
        boolean jpeg = name.endsWith(".jpg");
        ImageTransform transform = new ImageTransform(
                c.get("resize").asInt(),
                c.get("crop").get(0).asInt(),
                c.get("crop").get(1).asInt(),
                c.get("grayscale").asBoolean(),
                floats(c.get("mean")),
                floats(c.get("std")),
                Interpolation.valueOf(c.get("interpolation").asText()));
        if (MODEL_DEFAULTS.containsKey(pipeline)) {
            assertEquals(transform, MODEL_DEFAULTS.get(pipeline), "ImageTransform.forModel for " + pipeline);
        }
        Npy.Array expected = Npy.read(out.resolve(c.get("expected").asText()));
        assertArrayEquals(
                new int[] {transform.channels(), transform.cropHeight(), transform.cropWidth()},
                expected.shape(),
                "torchvision's tensor shape");

        DecodedImage image = decoded.computeIfAbsent(c.get("image").asText(), PreprocessingConformanceTest::decode);
        int offset = 7;
        float[] ours = new float[offset + transform.length()];
        transform.writeNchw(image, ours, offset);

        float[] std = transform.std();
        int plane = transform.cropHeight() * transform.cropWidth();
        double sum = 0;
        double max = 0;
        for (int i = 0; i < plane * transform.channels(); i++) {
            double levels = Math.abs((double) ours[offset + i] - expected.data()[i]) * std[i / plane] * 255;
            sum += levels;
            max = Math.max(max, levels);
        }
        double mean = sum / expected.data().length;
        assertTrue(
                spread(expected.data()) > 0,
                name + " " + pipeline + ": torchvision's tensor is constant, " + "the comparison would prove little");
        System.out.printf("preprocess %-32s %-16s mean %.3f/255, max %.3g/255%n", name, pipeline, mean, max);
        assertTrue(
                mean <= MEAN_LEVELS && max <= MAX_LEVELS + 1e-3,
                String.format(
                        "%s %s: mean %.3f/255, max %.3g/255 (limits %s and %s)",
                        name, pipeline, mean, max, MEAN_LEVELS, MAX_LEVELS));
        if (!jpeg) {
            assertEquals(0, max, 1e-3, name + " " + pipeline + ": lossless images must match to the level");
        }
    }

    private static double spread(float[] values) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return max - min;
    }

    private static DecodedImage decode(String file) {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            return ImageDecoder.decode(in);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    private static float[] floats(JsonNode array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) array.get(i).asDouble();
        }
        return values;
    }
}
