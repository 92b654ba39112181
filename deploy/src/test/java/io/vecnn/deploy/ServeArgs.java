package io.vecnn.deploy;

import io.vecnn.tools.VecnnCli;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;

/**
 * A container's arguments as {@code vecnn} itself reads them: parsed by the real picocli command, so an option
 * that does not exist or a value of the wrong type fails here, and unset options take the command's defaults.
 */
record ServeArgs(
        String command,
        String host,
        int port,
        Integer grpcPort,
        long drainSeconds,
        Integer threads,
        List<String> models) {

    static ServeArgs parse(List<String> args) {
        CommandLine.ParseResult parsed = new CommandLine(new VecnnCli()).parseArgs(args.toArray(String[]::new));
        if (!parsed.hasSubcommand()) {
            throw new AssertionError("no vecnn command in " + args);
        }
        CommandSpec command = parsed.subcommand().commandSpec();
        return new ServeArgs(
                command.name(),
                command.findOption("--host").getValue(),
                command.findOption("--port").<Integer>getValue(),
                command.findOption("--grpc-port").<Integer>getValue(),
                command.findOption("--drain-s").<Long>getValue(),
                command.findOption("--threads").getValue(),
                command.findOption("--model").getValue());
    }

    /** The file of each {@code --model [NAME=]FILE}. */
    List<String> modelFiles() {
        return models.stream().map(m -> m.substring(m.indexOf('=') + 1)).toList();
    }
}
