package io.vecnn.modelfile;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.VecnnException;
import io.vecnn.graph.Graph;
import io.vecnn.graph.WeightTensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VecNN model file ({@code .vnn}): a safetensors file whose tensors are the graph's weights in the
 * runtime's layout and whose {@code __metadata__} holds the graph, labels and provenance as JSON strings,
 * the format version, the program that wrote the file and a CRC32C of the data section.
 *
 * @param graph      the network
 * @param weights    every weight the graph references, by name, in file order
 * @param labels     class names for the output channels, or empty
 * @param provenance where the model came from (source file, architecture, converter version, notes)
 * @param writer     the program that wrote (or will write) the file, as {@code name version}
 */
public record ModelFile(
        Graph graph,
        Map<String, WeightTensor> weights,
        List<String> labels,
        Map<String, String> provenance,
        String writer) {

    public static final String FORMAT = "vecnn";
    /** The writer recorded when the caller names none: this runtime. */
    public static final String RUNTIME_WRITER = "vecnn-runtime 0.1.0";

    static final String KEY_FORMAT = "format";
    static final String KEY_GRAPH = "vecnn.graph";
    static final String KEY_LABELS = "vecnn.labels";
    static final String KEY_PROVENANCE = "vecnn.provenance";
    static final String KEY_WRITER = "vecnn.writer";
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelFile {
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        labels = List.copyOf(labels);
        provenance = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
        if (writer == null || writer.isBlank()) {
            throw new VecnnException("a model file names the program that writes it; the writer is empty");
        }
        Map<String, int[]> shapes = new LinkedHashMap<>();
        weights.forEach((k, v) -> {
            ModelFileValidation.checkDimensions(k, v.shape());
            shapes.put(k, v.shape());
        });
        ModelFileValidation.checkAgainstGraph(graph, shapes);
    }

    /** A model written by this runtime. */
    public ModelFile(
            Graph graph, Map<String, WeightTensor> weights, List<String> labels, Map<String, String> provenance) {
        this(graph, weights, labels, provenance, RUNTIME_WRITER);
    }

    /** Writes the file atomically: a reader sees the previous file or this one, never a part. */
    public void write(Path path) {
        AtomicWrite.write(path, content());
    }

    /** The file's bytes, for {@link AtomicWrite}. */
    AtomicWrite.Content content() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(KEY_FORMAT, FORMAT);
        metadata.put(FormatVersion.KEY, String.valueOf(FormatVersion.CURRENT));
        metadata.put(KEY_WRITER, writer);
        metadata.put(DataChecksum.KEY, DataChecksum.of(weights));
        metadata.put(KEY_GRAPH, GraphCodec.toJson(graph));
        try {
            metadata.put(KEY_LABELS, JSON.writeValueAsString(labels));
            metadata.put(KEY_PROVENANCE, JSON.writeValueAsString(provenance));
        } catch (IOException e) {
            throw new VecnnException("cannot encode model metadata: " + e.getMessage(), e);
        }
        Map<String, Safetensors.Data> data = new LinkedHashMap<>();
        weights.forEach((k, t) -> data.put(k, new Safetensors.Data("F32", t.shape(), t.data())));
        return Safetensors.content(metadata, data);
    }

    /**
     * Reads and validates a model file: container bounds, format version, graph, every weight's shape, whether
     * the heap can hold the weights, then the weights themselves against the recorded checksum.
     */
    public static ModelFile read(Path path) {
        return ModelFileReader.read(path, HeapBudget.JVM);
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
}
