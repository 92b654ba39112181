package io.vecnn.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The deploy folder's YAML files as trees, and the few Kubernetes value formats the tests read. */
final class Manifests {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Pattern QUANTITY = Pattern.compile("(\\d+)(Ki|Mi|Gi)?");

    private Manifests() {}

    /** A file under deploy/ (the tests run in the module's directory). */
    static JsonNode read(String file) throws IOException {
        return YAML.readTree(Path.of(file).toFile());
    }

    /** A memory quantity in bytes: a plain number or one with a binary suffix, as these manifests write them. */
    static long bytes(String quantity) {
        Matcher m = QUANTITY.matcher(quantity);
        if (!m.matches()) {
            throw new AssertionError("not a memory quantity these tests read: " + quantity);
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    /** A CPU quantity in cores: "2" or "500m". */
    static double cores(String quantity) {
        return quantity.endsWith("m")
                ? Integer.parseInt(quantity.substring(0, quantity.length() - 1)) / 1000.0
                : Double.parseDouble(quantity);
    }

    /** The value of the environment variable {@code name} in a container, or null. */
    static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        return null;
    }
}
