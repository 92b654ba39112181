package io.vecnn.converter.torchfile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** Runs the Python scripts next to this class in the test resources with the system's PyTorch. */
final class PythonTorch {
    private static final String PYTHON = "/usr/bin/python3";
    private static final long TIMEOUT_SECONDS = 300;
    private static Boolean available;

    private PythonTorch() {
    }

    static void assumeAvailable() {
        Assumptions.assumeTrue(available(),
                "PyTorch for /usr/bin/python3 missing: apt-get install -y python3-torchvision");
    }

    private static synchronized boolean available() {
        if (available == null) {
            available = exec(List.of(PYTHON, "-c", "import torch")).exitCode == 0;
        }
        return available;
    }

    /** Runs a script from the test resources and returns what it printed; fails the test if it fails. */
    static String run(String script, Object... args) {
        List<String> command = new ArrayList<>(List.of(PYTHON, resource(script).toString()));
        for (Object a : args) {
            command.add(a.toString());
        }
        Result r = exec(command);
        assertEquals(0, r.exitCode, String.join(" ", command) + " failed:\n" + r.output);
        return r.output.trim();
    }

    private static Path resource(String name) {
        try {
            return Path.of(PythonTorch.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result exec(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out after " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }
}
