package io.vecnn.spark;

import io.vecnn.tools.AddedCommands;

import java.util.Map;

/** {@code vecnn score}: the command that needs Spark, on the class path only when the launcher runs it. */
public final class SparkCommands implements AddedCommands {
    @Override
    public Map<String, Object> commands() {
        return Map.of("score", new ScoreCommand());
    }
}
