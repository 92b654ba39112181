package io.vecnn.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.InputSpec;
import io.vecnn.Model;
import io.vecnn.image.ImageDecoder;
import io.vecnn.tools.CliRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vecnn score} as a user runs it, on a folder of JPEGs with one broken file among them. */
class ScoreCommandTest {
    private static final int FILES = 12;

    @TempDir
    static Path dir;

    static Path modelFile;
    static Path photos;

    @BeforeAll
    static void setUp() throws IOException {
        modelFile = TestModels.lenet(dir, 1000);
        photos = Files.createDirectories(dir.resolve("photos/nested"));
        for (int i = 0; i < FILES - 1; i++) {
            Files.write((i < 3 ? photos : photos.getParent()).resolve("p" + i + ".jpg"), TestImages.encoded("jpg", i));
        }
        Files.writeString(photos.getParent().resolve("broken.jpg"), "not a JPEG");
        TestSpark.session();
    }

    @Test
    void writesOneRowPerFileWithItsScoresOrError() throws IOException {
        Path out = dir.resolve("scores");

        CliRun run = CliRun.vecnn(
                "score",
                "--model",
                modelFile,
                "--input",
                photos.getParent(),
                "--output",
                out,
                "--format",
                "jsonl",
                "--top",
                3,
                "--batch",
                4,
                "--master",
                "local[2]");

        assertEquals(0, run.exit(), run.text());
        assertTrue(run.err().contains("scored " + (FILES - 1) + ", failed 1"), run.err());
        Map<String, JsonNode> rows = rows(out);
        assertEquals(FILES, rows.size());
        try (Model model = Model.load(modelFile, 1);
                Stream<Path> files = Files.walk(photos.getParent())) {
            InputSpec spec = model.inputSpec();
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                JsonNode row = rows.get(file.getFileName().toString());
                if (file.endsWith("broken.jpg")) {
                    assertTrue(row.get("error").asText().startsWith("cannot decode the image"), row.toString());
                    continue;
                }
                float[] x = new float[spec.preprocessing().length()];
                spec.preprocessing().writeNchw(ImageDecoder.decode(Files.readAllBytes(file)), x, 0);
                float[] expected = model.run(x, 1);
                assertEquals(expected.length, row.get("logits").size());
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(
                            expected[i],
                            row.get("logits").get(i).floatValue(),
                            1e-6 * Math.max(1, Math.abs(expected[i])));
                }
                assertEquals(3, row.get("labels").size());
            }
        }
        try (Stream<Path> siblings = Files.list(dir)) {
            assertFalse(siblings.anyMatch(p -> p.getFileName().toString().contains(".tmp-")), "temp folder left");
        }
    }

    @Test
    void refusesAnOutputThatExists() throws IOException {
        Path out = Files.createDirectories(dir.resolve("taken"));

        CliRun run =
                CliRun.vecnn("score", "--model", modelFile, "--input", photos, "--output", out, "--master", "local[2]");

        assertEquals(1, run.exit());
        assertTrue(run.err().contains(out + " already exists"), run.text());
    }

    /** The JSON lines of every part file, by the file name at the end of each row's path. */
    private static Map<String, JsonNode> rows(Path out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> rows = new HashMap<>();
        try (Stream<Path> parts = Files.list(out)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-"))
                    .toList()) {
                for (String line : Files.readAllLines(part)) {
                    JsonNode row = json.readTree(line);
                    String path = row.get("path").asText();
                    rows.put(path.substring(path.lastIndexOf('/') + 1), row);
                }
            }
        }
        return rows;
    }
}
