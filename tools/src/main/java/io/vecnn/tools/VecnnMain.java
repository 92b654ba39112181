package io.vecnn.tools;

import picocli.CommandLine;

import java.util.ServiceLoader;

/**
 * The {@code vecnn} command the launcher runs: {@link VecnnCli}'s commands plus those other modules add through
 * {@link AddedCommands}. The bench module adds {@code bench} and {@code loadtest}; the launcher puts it on the
 * class path only for them, so that every other command (above all {@code serve}) runs without the peer
 * engines bench compares with.
 */
public final class VecnnMain {
    private VecnnMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new VecnnCli());
        for (AddedCommands added : ServiceLoader.load(AddedCommands.class)) {
            added.commands().forEach(cli::addSubcommand);
        }
        return VecnnCli.configure(cli).execute(args);
    }
}
