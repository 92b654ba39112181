package io.vecnn.bench.cli;

import io.vecnn.converter.cli.VecnnCli;
import picocli.CommandLine;

/**
 * The {@code vecnn} command the launcher runs: the converter's tools plus {@code bench}, which lives here so
 * that only this module ever loads the peer engines, and {@code loadtest}, the load generator for the server.
 */
public final class VecnnToolsMain {
    private VecnnToolsMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new VecnnCli());
        cli.addSubcommand("bench", new BenchCommand());
        cli.addSubcommand("loadtest", new LoadtestCommand());
        return VecnnCli.configure(cli).execute(args);
    }
}
