package io.vecnn.spark;

import io.vecnn.tools.VecnnCli;
import picocli.CommandLine;

/** The shaded jar's entry point for spark-submit: {@code vecnn score}'s options, on the cluster's session. */
public final class ScoreMain {
    private ScoreMain() {}

    public static void main(String[] args) {
        System.exit(VecnnCli.configure(new CommandLine(new ScoreCommand())).execute(args));
    }
}
