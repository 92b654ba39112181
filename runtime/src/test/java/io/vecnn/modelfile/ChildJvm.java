package io.vecnn.modelfile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs a main class of the test classpath in a JVM of its own, with a heap limit of the test's choosing. */
final class ChildJvm {
    private ChildJvm() {}

    static Process start(String maxHeap, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx" + maxHeap);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Runs to the end and returns exit code and output. */
    static Result run(String maxHeap, Class<?> main, String... args) throws IOException, InterruptedException {
        Process p = start(maxHeap, main, args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }

    record Result(int exitCode, String output) {}
}
