package io.vecnn.converter.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real PyTorch, the oracle: Debian's torch for /usr/bin/python3, driven through the scripts in
 * {@code src/test/python}. Tests that need it skip when it is missing, except under CI, where a
 * missing oracle is a failure (the conformance tests must run there).
 */
public final class PythonTorch {
    static final String PYTHON = "/usr/bin/python3";
    static final Path SCRIPTS = scripts();
    private static final String MISSING =
            "PyTorch for " + PYTHON + " is missing: apt-get install -y python3-torchvision (conformance tests skipped)";
    /** A top-level {@code import m} or {@code from m import ...}: where a script's local modules are named. */
    private static final Pattern IMPORT = Pattern.compile("^(?:import|from) (\\w+)", Pattern.MULTILINE);

    private static Boolean available;

    private PythonTorch() {}

    /** Skips the calling test when PyTorch is missing, or fails it under CI. */
    public static void require() {
        if (available == null) {
            available = run(List.of(PYTHON, "-c", "import torch, torchvision"), Path.of("."))
                            .exitCode()
                    == 0;
        }
        if (!available && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(MISSING + " — but CI must run them");
        }
        Assumptions.assumeTrue(available, MISSING);
    }

    /** The scripts beside these tests; the tools' tests, which run from tools/, reach them in weights-converter. */
    private static Path scripts() {
        Path here = Paths.get("src/test/python");
        return (Files.isDirectory(here) ? here : Paths.get("../weights-converter/src/test/python")).toAbsolutePath();
    }

    /** Runs a script from {@code src/test/python} and returns what it printed; fails the test if it fails. */
    public static String script(String name, Object... args) {
        List<String> command =
                new ArrayList<>(List.of(PYTHON, SCRIPTS.resolve(name).toString()));
        for (Object a : args) {
            command.add(a.toString());
        }
        Result r = run(command, SCRIPTS);
        if (r.exitCode() != 0) {
            throw new AssertionError("python script failed: " + String.join(" ", command) + "\n" + r.output());
        }
        return r.output().trim();
    }

    /**
     * The fixtures a script in {@code src/test/python} writes, generated once per version of the script and
     * of the modules it imports from there (PyTorch here is built with generic BLAS and takes a while) and
     * cached under {@code ~/.cache/vecnn} or {@code VECNN_FIXTURE_CACHE}. Fixtures of the script's earlier
     * versions are deleted: the conformance fixtures take a gigabyte or two.
     */
    public static synchronized Path fixtures(String scriptName) throws IOException {
        String name = scriptName.replace(".py", "");
        String version = name + "-" + sha256(sources(name)).substring(0, 16);
        String base = System.getenv()
                .getOrDefault("VECNN_FIXTURE_CACHE", System.getProperty("user.home") + "/.cache/vecnn/fixtures");
        Path dir = Paths.get(base, version);
        if (!Files.isRegularFile(dir.resolve("COMPLETE"))) {
            Files.createDirectories(dir.getParent());
            Path temp = Files.createTempDirectory(dir.getParent(), version + ".partial");
            script(scriptName, temp.toString());
            Files.writeString(temp.resolve("COMPLETE"), version);
            if (Files.exists(dir)) {
                deleteTree(dir);
            }
            Files.move(temp, dir);
            deleteOtherVersions(dir, name);
        }
        return dir;
    }

    /** The text of module {@code name} and of every module of {@code src/test/python} it imports, at any depth. */
    private static byte[] sources(String name) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Set<String> read = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>(List.of(name));
        while (!pending.isEmpty()) {
            Path module = SCRIPTS.resolve(pending.pop() + ".py");
            if (Files.isRegularFile(module) && read.add(module.getFileName().toString())) {
                byte[] bytes = Files.readAllBytes(module);
                text.writeBytes(bytes);
                Matcher imported = IMPORT.matcher(new String(bytes, StandardCharsets.UTF_8));
                while (imported.find()) {
                    pending.add(imported.group(1));
                }
            }
        }
        return text.toByteArray();
    }

    private static void deleteOtherVersions(Path current, String name) throws IOException {
        try (var siblings = Files.list(current.getParent())) {
            for (Path old : siblings.filter(p -> !p.equals(current)
                            && p.getFileName().toString().matches(Pattern.quote(name) + "-[0-9a-f]{16}"))
                    .toList()) {
                deleteTree(old);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var old = Files.walk(dir)) {
            old.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    private record Result(int exitCode, String output) {}

    private static Result run(List<String> command, Path dir) {
        try {
            Process p = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + command);
            }
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
