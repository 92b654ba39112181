package io.vecnn.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One {@code vecnn} command run in-process as a user runs it: its exit code and what it printed. Commands other
 * modules add ({@code bench}, {@code loadtest}) are there when their module is on the class path.
 */
public record CliRun(int exit, String out, String err) {

    /** Synchronized because it swaps the process's stdout and stderr while the command runs. */
    public static synchronized CliRun vecnn(Object... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = VecnnMain.run(Arrays.stream(args).map(Object::toString).toArray(String[]::new));
            return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Both streams, for an assertion's message. */
    public String text() {
        return "stdout:\n" + out + "\nstderr:\n" + err;
    }
}
