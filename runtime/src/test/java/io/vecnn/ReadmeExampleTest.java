package io.vecnn;

import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's example program compiles against the runtime as a JPMS module and runs: javac and java from
 * the JDK running the tests, the runtime's classes and Jackson on the module path, the example in the
 * unnamed module as a user's application would be.
 */
class ReadmeExampleTest {
    private static final Path README = Path.of("../README.md");

    @Test
    void classifyExampleCompilesAndRunsOnTheModulePath(@TempDir Path dir) throws Exception {
        Matcher m = Pattern.compile("<!-- example: (\\w+)\\.java -->\\s*```java\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(README));
        assertTrue(m.find(), "README has an example block marked <!-- example: Name.java -->");
        String className = m.group(1);
        Path source = dir.resolve("src").resolve(className + ".java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, m.group(2));

        String modulePath = modulePath();
        String javaHome = System.getProperty("java.home");
        Path classes = dir.resolve("classes");
        run(
                dir,
                javaHome + "/bin/javac",
                "--module-path",
                modulePath,
                "--add-modules",
                "io.vecnn",
                "-d",
                classes.toString(),
                source.toString());

        Path model = dir.resolve("net.vnn");
        SmallNets.classifier(new Shape(3, 224, 224), new int[] {8, 16}, 1000, 4, Map.of("architecture", "resnet18"))
                .write(model);
        Path image = dir.resolve("photo.png");
        BufferedImage photo = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 300; x++) {
                photo.setRGB(x, y, (x & 0xff) << 16 | (y & 0xff) << 8 | ((x + y) & 0xff));
            }
        }
        ImageIO.write(photo, "png", image.toFile());

        String output = run(
                dir,
                javaHome + "/bin/java",
                "--module-path",
                modulePath,
                "--add-modules",
                "io.vecnn,jdk.incubator.vector",
                "-cp",
                classes.toString(),
                className,
                model.toString(),
                image.toString());
        List<String> lines =
                output.lines().filter(l -> l.startsWith(image.toString())).toList();
        assertEquals(3, lines.size(), output);
        // The labels are ImageNet's, as the model has 1000 classes and the file names none.
        String label = lines.get(0)
                .substring(image.toString().length() + 2, lines.get(0).lastIndexOf(" ("));
        assertTrue(ImageNetClasses.names().contains(label), output);
    }

    /** The runtime's own classes and the Jackson jars from the test class path. */
    private static String modulePath() {
        List<String> entries = new ArrayList<>();
        entries.add(Path.of("target/classes").toAbsolutePath().toString());
        entries.addAll(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> e.contains("jackson"))
                .collect(Collectors.toList()));
        return String.join(File.pathSeparator, entries);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "timed out: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + "\n" + output);
        return output;
    }
}
