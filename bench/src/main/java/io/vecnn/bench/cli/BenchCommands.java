package io.vecnn.bench.cli;

import io.vecnn.tools.AddedCommands;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code vecnn bench} and {@code vecnn loadtest}: the commands that load the peer engines or drive a server. */
public final class BenchCommands implements AddedCommands {
    @Override
    public Map<String, Object> commands() {
        Map<String, Object> commands = new LinkedHashMap<>();
        commands.put("bench", new BenchCommand());
        commands.put("loadtest", new LoadtestCommand());
        return commands;
    }
}
