package io.vecnn.modelfile;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.VecnnException;
import io.vecnn.graph.Graph;
import io.vecnn.graph.ShapeInference;
import io.vecnn.graph.WeightTensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VecNN model file ({@code .vnn}): a safetensors file whose tensors are the graph's weights in the
 * runtime's layout and whose {@code __metadata__} holds the graph, labels and provenance as JSON strings.
 *
 * @param graph      the network
 * @param weights    every weight the graph references, by name, in file order
 * @param labels     class names for the output channels, or empty
 * @param provenance where the model came from (source file, architecture, converter version, notes)
 */
public record ModelFile(Graph graph, Map<String, WeightTensor> weights, List<String> labels,
                        Map<String, String> provenance) {

    public static final String FORMAT = "vecnn";
    public static final String FORMAT_VERSION = "1";
    static final String KEY_FORMAT = "format";
    static final String KEY_VERSION = "vecnn.format_version";
    static final String KEY_GRAPH = "vecnn.graph";
    static final String KEY_LABELS = "vecnn.labels";
    static final String KEY_PROVENANCE = "vecnn.provenance";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelFile {
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        labels = List.copyOf(labels);
        provenance = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        Map<String, int[]> shapes = new HashMap<>();
        weights.forEach((k, v) -> shapes.put(k, v.shape()));
        ShapeInference.infer(graph, shapes);
        var used = new java.util.HashSet<>(graph.weightNames());
        for (String name : weights.keySet()) {
            if (!used.contains(name)) {
                throw new VecnnException("weight '" + name + "' is not used by any node of the graph");
            }
        }
    }

    public void write(Path path) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(KEY_FORMAT, FORMAT);
        metadata.put(KEY_VERSION, FORMAT_VERSION);
        metadata.put(KEY_GRAPH, GraphCodec.toJson(graph));
        try {
            metadata.put(KEY_LABELS, JSON.writeValueAsString(labels));
            metadata.put(KEY_PROVENANCE, JSON.writeValueAsString(provenance));
        } catch (IOException e) {
            throw new VecnnException("cannot encode model metadata: " + e.getMessage(), e);
        }
        Safetensors.write(path, metadata, weights);
    }

    /** Reads and validates a model file: container bounds, format version, graph, every weight's shape. */
    public static ModelFile read(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            SafetensorsHeader header = Safetensors.readHeader(channel, path);
            Map<String, String> meta = header.metadata();
            if (!FORMAT.equals(meta.get(KEY_FORMAT)) || !meta.containsKey(KEY_GRAPH)) {
                throw new VecnnException(path + ": a safetensors file but not a VecNN model (no '" + KEY_GRAPH
                        + "' in __metadata__); convert weights with 'vecnn convert'");
            }
            if (!FORMAT_VERSION.equals(meta.get(KEY_VERSION))) {
                throw new VecnnException(path + ": model format version " + meta.get(KEY_VERSION)
                        + " is not supported by this runtime (it reads version " + FORMAT_VERSION + ")");
            }
            Graph graph = GraphCodec.fromJson(meta.get(KEY_GRAPH));
            List<String> labels = parse(meta.getOrDefault(KEY_LABELS, "[]"), new TypeReference<>() { }, path, KEY_LABELS);
            Map<String, String> provenance = parse(meta.getOrDefault(KEY_PROVENANCE, "{}"), new TypeReference<>() { },
                    path, KEY_PROVENANCE);
            Map<String, WeightTensor> weights = new LinkedHashMap<>();
            for (SafetensorsHeader.Entry e : header.entries()) {
                weights.put(e.name(), new WeightTensor(e.shape(), Safetensors.readF32(channel, header, e, path)));
            }
            try {
                return new ModelFile(graph, weights, labels, provenance);
            } catch (VecnnException e) {
                throw new VecnnException(path + ": " + e.getMessage(), e);
            }
        } catch (NoSuchFileException e) {
            throw new VecnnException("model file not found: " + path);
        } catch (IOException e) {
            throw new VecnnException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a model file from a stream. The bytes go to a temporary file first, so the tensors are read once,
     * straight into their arrays, as from a path (a 500 MB model does not sit in memory twice).
     */
    public static ModelFile read(InputStream in) {
        if (in == null) {
            throw new VecnnException("model stream is null");
        }
        Path temp = null;
        try {
            temp = Files.createTempFile("vecnn-model", ".vnn");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            return read(temp);
        } catch (IOException e) {
            throw new VecnnException("cannot read model stream: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // A temporary file the OS will clean up; the model itself was read or its error reported.
                }
            }
        }
    }

    private static <T> T parse(String json, TypeReference<T> type, Path path, String key) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new VecnnException(path + ": __metadata__ '" + key + "' is malformed: " + e.getMessage());
        }
    }
}
