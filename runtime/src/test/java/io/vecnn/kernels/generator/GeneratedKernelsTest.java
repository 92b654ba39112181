package io.vecnn.kernels.generator;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed microkernels are exactly what the generator makes of the templates, and no others exist. */
class GeneratedKernelsTest {
    private static final Path TEMPLATES = Path.of("src/main/kernel-templates");
    private static final Path KERNELS = Path.of("src/main/java/io/vecnn/kernels");

    @Test
    void committedSourcesEqualTheGeneratorsOutput() throws IOException {
        if (Boolean.getBoolean("vecnn.regenerate")) {
            MicroKernelGenerator.write(TEMPLATES, KERNELS);
        }
        List<String> stale = new ArrayList<>();
        for (MicroKernelGenerator.Variant v : MicroKernelGenerator.VARIANTS) {
            Path file = KERNELS.resolve(v.className() + ".java");
            String expected = MicroKernelGenerator.source(TEMPLATES, v);
            if (!Files.exists(file)
                    || !Files.readString(file, StandardCharsets.UTF_8).equals(expected)) {
                stale.add(file.toString());
            }
        }
        assertEquals(
                List.of(),
                stale,
                "regenerate: mvn -pl runtime test -Dtest=GeneratedKernelsTest" + " -Dvecnn.regenerate=true");
    }

    @Test
    void everyMicroKernelSourceIsAGeneratedVariant() throws IOException {
        List<String> listed = MicroKernelGenerator.VARIANTS.stream()
                .map(v -> v.className() + ".java")
                .toList();
        try (Stream<Path> files = Files.list(KERNELS)) {
            List<String> orphans = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains("MicroKernel") && !listed.contains(n))
                    .sorted()
                    .toList();
            assertEquals(List.of(), orphans, "microkernels not produced by MicroKernelGenerator");
        }
    }

    @Test
    void templateLoopsNestAndNameErrors() {
        KernelTemplate t = new KernelTemplate("a\n$for r in M\n$for n in N\nx${r}${n}\n$end\n$end\nb");
        assertEquals("a\nx00\nx01\nx10\nx11\nx20\nx21\nb", t.expand(Map.of("M", "3", "N", "2")));
        assertEquals("a\nb", t.expand(Map.of("M", "0", "N", "2")));
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> new KernelTemplate("${Q}").expand(Map.of()));
        assertTrue(unknown.getMessage().contains("unknown variable Q"), unknown.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> new KernelTemplate("$for r in M\nx").expand(Map.of("M", "1")));
        assertThrows(IllegalArgumentException.class, () -> new KernelTemplate("x\n$end").expand(Map.of()));
    }
}
