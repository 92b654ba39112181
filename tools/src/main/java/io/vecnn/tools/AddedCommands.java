package io.vecnn.tools;

import java.util.Map;

/**
 * Subcommands a module outside the tools adds to {@code vecnn}, found with {@link java.util.ServiceLoader}
 * when that module is on the class path ({@code META-INF/services/io.vecnn.tools.AddedCommands}).
 */
public interface AddedCommands {
    /** Picocli command objects by name; {@code vecnn --help} lists them in the map's iteration order. */
    Map<String, Object> commands();
}
