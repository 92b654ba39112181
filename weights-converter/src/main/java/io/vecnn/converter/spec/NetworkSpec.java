package io.vecnn.converter.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.ArchitectureInfo;
import io.vecnn.converter.arch.NetworkBuilder;
import io.vecnn.converter.arch.Value;
import io.vecnn.converter.arch.WeightRole;
import io.vecnn.converter.arch.WeightSource;
import io.vecnn.converter.statedict.StateDict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user-defined network: a JSON description of what a PyTorch {@code __init__} + {@code forward} do,
 * each layer bound to its state-dict prefix (docs/spec.md describes the format). It is run by the same
 * {@link NetworkBuilder} vocabulary as the built-in architectures, so both produce the same graphs.
 *
 * @param name      the network's name, used in messages and provenance
 * @param input     the input size, channels first
 * @param layers    the top-level layer list
 * @param modules   named layer lists that {@code {"use": NAME, ...}} expands, with {@code {param}} substitution
 * @param ignore    state-dict prefixes of modules that {@code forward} does not run in eval mode (aux heads)
 */
public record NetworkSpec(String name, Shape input, JsonNode layers, JsonNode modules, List<String> ignore) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FIELDS = List.of("name", "input_size", "layers", "modules", "ignore");

    public static NetworkSpec read(Path path) {
        try {
            return parse(Files.readString(path), path.toString());
        } catch (NoSuchFileException e) {
            throw new VecnnException("no such spec file: " + path);
        } catch (IOException e) {
            throw new VecnnException("cannot read spec " + path + ": " + e.getMessage(), e);
        }
    }

    public static NetworkSpec parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            // Jackson's own limits (nesting depth, number length) report no location.
            String where =
                    e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new VecnnException(source + ": not valid JSON: " + e.getOriginalMessage() + where);
        }
        if (root == null || !root.isObject()) {
            throw new VecnnException(source + ": a spec is a JSON object with name, input_size and layers");
        }
        root.fieldNames().forEachRemaining(field -> {
            if (!FIELDS.contains(field)) {
                throw new VecnnException(source + ": unknown field '" + field + "'; a spec has " + FIELDS);
            }
        });
        for (String required : new String[] {"name", "input_size", "layers"}) {
            if (!root.has(required)) {
                throw new VecnnException(source + ": missing '" + required + "'");
            }
        }
        JsonNode size = root.get("input_size");
        if (!size.isArray()
                || size.size() != 3
                || !size.get(0).canConvertToInt()
                || !size.get(1).canConvertToInt()
                || !size.get(2).canConvertToInt()
                || size.get(0).intValue() <= 0
                || size.get(1).intValue() <= 0
                || size.get(2).intValue() <= 0) {
            throw new VecnnException(source + ": input_size must be [channels, height, width], got " + size);
        }
        if (size.get(0).intValue() > Fields.MAX_WHOLE
                || size.get(1).intValue() > Fields.MAX_WHOLE
                || size.get(2).intValue() > Fields.MAX_WHOLE
                || (long) size.get(0).intValue()
                                * size.get(1).intValue()
                                * size.get(2).intValue()
                        > Integer.MAX_VALUE) {
            throw new VecnnException(source + ": input_size " + size + " is larger than " + Fields.MAX_WHOLE
                    + " in a dimension or holds more values than an array");
        }
        if (!root.get("layers").isArray()) {
            throw new VecnnException(source + ": 'layers' must be a list of layers");
        }
        JsonNode modules = root.path("modules");
        if (!modules.isMissingNode() && !modules.isObject()) {
            throw new VecnnException(source + ": 'modules' must map names to layer lists");
        }
        JsonNode ignored = root.path("ignore");
        if (!ignored.isMissingNode() && !ignored.isArray()) {
            throw new VecnnException(source + ": 'ignore' must be a list of state-dict prefixes such as [\"aux1\"]");
        }
        List<String> ignore = new ArrayList<>();
        for (JsonNode prefix : ignored) {
            if (!prefix.isTextual() || prefix.asText().isEmpty()) {
                throw new VecnnException(
                        source + ": 'ignore' lists state-dict prefixes such as \"aux1\", got " + prefix);
            }
            ignore.add(prefix.asText());
        }
        return new NetworkSpec(
                root.get("name").asText(),
                new Shape(
                        size.get(0).intValue(),
                        size.get(1).intValue(),
                        size.get(2).intValue()),
                root.get("layers"),
                modules,
                List.copyOf(ignore));
    }

    /** Whether {@code key} belongs to an ignored module: the prefix itself or anything below it. */
    boolean ignores(String key) {
        return ignore.stream().anyMatch(prefix -> key.equals(prefix) || key.startsWith(prefix + "."));
    }

    /** The spec as an architecture for converting {@code weights}, whose shapes fill in kernel sizes and widths. */
    public Architecture architecture(StateDict weights) {
        NetworkSpec spec = this;
        return new Architecture() {
            @Override
            public ArchitectureInfo info() {
                // The classifier's width comes from the weights; a spec has no default.
                return new ArchitectureInfo(spec.name(), spec.name(), spec.input(), 0);
            }

            /**
             * Accepts the ignored modules' keys before building, so the strict key check holds for every
             * other key. A prefix that matches nothing is fine: the same network saved without its aux heads.
             */
            @Override
            public NetworkBuilder.Built build(WeightSource source, Shape input, int numClasses) {
                weights.keys().stream()
                        .filter(spec::ignores)
                        .forEach(key -> source.takeOptional(key, WeightRole.TRAINING_ONLY));
                return Architecture.super.build(source, input, numClasses);
            }

            @Override
            public Value forward(NetworkBuilder nn, Value x, int numClasses) {
                return new SpecInterpreter(spec, weights, nn).run(x);
            }
        };
    }
}
