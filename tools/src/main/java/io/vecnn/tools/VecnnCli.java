package io.vecnn.tools;

import io.vecnn.VecnnException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vecnn} command. Errors end as one line on stderr and a non-zero exit: 1 for a failed
 * command, 2 for a usage error. Set {@code VECNN_DEBUG=1} to see stack traces of unexpected failures.
 */
@Command(
        name = "vecnn",
        mixinStandardHelpOptions = true,
        version = "vecnn 0.1.0",
        description = "Run classic CNNs from PyTorch state dicts in pure Java.",
        subcommands = {
            SynthCommand.class,
            ConvertCommand.class,
            InspectCommand.class,
            ExportCommand.class,
            PredictCommand.class,
            ClassifyCommand.class,
            ServeCommand.class,
            DemoCommand.class
        })
public final class VecnnCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        return configure(new CommandLine(new VecnnCli())).execute(args);
    }

    /**
     * Gives {@code cli} and every subcommand added to it so far VecNN's error handling: callers that add
     * commands of their own (the bench module adds {@code bench}) add them first, then configure.
     */
    public static CommandLine configure(CommandLine cli) {
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof VecnnException) {
                commandLine.getErr().println("vecnn " + commandLine.getCommandName() + ": error: " + e.getMessage());
            } else {
                commandLine
                        .getErr()
                        .println("vecnn " + commandLine.getCommandName() + ": internal error: " + e
                                + " (please report it; VECNN_DEBUG=1 shows the stack trace)");
                if (System.getenv("VECNN_DEBUG") != null) {
                    e.printStackTrace(commandLine.getErr());
                }
            }
            return 1;
        });
        return cli;
    }
}
