package io.vecnn.modelfile;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.VecnnException;
import io.vecnn.graph.Graph;
import io.vecnn.graph.WeightTensor;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Checksum;

/**
 * Loads a model file, validating everything from the header alone before a weight is read: container bounds,
 * format version, graph, weights against the graph, and whether the heap can hold them. The weights are then
 * read once, straight into their arrays, and checked against the recorded checksum before the model is returned.
 */
final class ModelFileReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFileReader() {}

    static ModelFile read(Path path, HeapBudget heap) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            SafetensorsHeader header = Safetensors.readHeader(channel, path);
            Map<String, String> meta = header.metadata();
            if (!ModelFile.FORMAT.equals(meta.get(ModelFile.KEY_FORMAT)) || !meta.containsKey(ModelFile.KEY_GRAPH)) {
                throw new VecnnException(path + ": a safetensors file but not a VecNN model (no '" + ModelFile.KEY_GRAPH
                        + "' in __metadata__); convert weights with 'vecnn convert'");
            }
            int version = FormatVersion.of(meta, path);
            boolean checksummed = version >= FormatVersion.CHECKSUMMED;
            String recordedChecksum = checksummed ? required(meta, DataChecksum.KEY, version, path) : null;
            String writer = checksummed
                    ? required(meta, ModelFile.KEY_WRITER, version, path)
                    : "unknown (format version " + version + ")";
            Graph graph = inFile(path, () -> GraphCodec.fromJson(meta.get(ModelFile.KEY_GRAPH)));
            List<String> labels = parse(
                    meta.getOrDefault(ModelFile.KEY_LABELS, "[]"),
                    new TypeReference<>() {},
                    path,
                    ModelFile.KEY_LABELS);
            Map<String, String> provenance = parse(
                    meta.getOrDefault(ModelFile.KEY_PROVENANCE, "{}"),
                    new TypeReference<>() {},
                    path,
                    ModelFile.KEY_PROVENANCE);
            checkNoNulls(labels, provenance, path);
            Map<String, int[]> shapes = new LinkedHashMap<>();
            inFile(path, () -> {
                ModelFileValidation.checkTensors(header.entries());
                header.entries().forEach(e -> shapes.put(e.name(), e.shape()));
                ModelFileValidation.checkAgainstGraph(graph, shapes);
                return null;
            });
            Checksum checksum = DataChecksum.start();
            Map<String, WeightTensor> weights = readWeights(channel, header, path, heap, checksum);
            if (checksummed) {
                DataChecksum.verify(recordedChecksum, checksum, path);
            }
            return inFile(path, () -> new ModelFile(graph, weights, labels, provenance, writer));
        } catch (NoSuchFileException e) {
            throw new VecnnException("model file not found: " + path);
        } catch (IOException e) {
            throw new VecnnException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
    }

    /** Every tensor, in file order, so the checksum sees the data section as written. */
    private static Map<String, WeightTensor> readWeights(
            FileChannel channel, SafetensorsHeader header, Path path, HeapBudget heap, Checksum checksum)
            throws IOException {
        long bytes = 0;
        for (SafetensorsHeader.Entry e : header.entries()) {
            bytes += e.end() - e.begin();
        }
        long left = heap.reserve(bytes, path);
        Map<String, WeightTensor> weights = new LinkedHashMap<>();
        try {
            for (SafetensorsHeader.Entry e : header.entries()) {
                weights.put(
                        e.name(), new WeightTensor(e.shape(), Safetensors.readF32(channel, header, e, path, checksum)));
            }
        } catch (OutOfMemoryError oom) {
            // Drop what was read so the caller's JVM gets its heap back along with the message.
            weights.clear();
            throw heap.ranOut(bytes, left, path);
        }
        return weights;
    }

    private static String required(Map<String, String> meta, String key, int version, Path path) {
        String value = meta.get(key);
        if (value == null || value.isEmpty()) {
            throw new VecnnException(
                    path + ": __metadata__ has no '" + key + "', which format version " + version + " requires");
        }
        return value;
    }

    private static void checkNoNulls(List<String> labels, Map<String, String> provenance, Path path) {
        if (labels.contains(null)) {
            throw new VecnnException(path + ": __metadata__ '" + ModelFile.KEY_LABELS + "' holds a null label");
        }
        if (provenance.containsKey(null) || provenance.containsValue(null)) {
            throw new VecnnException(path + ": __metadata__ '" + ModelFile.KEY_PROVENANCE + "' holds a null value");
        }
    }

    /** Runs a check on the file's content, naming the file in its error. */
    private static <T> T inFile(Path path, java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (VecnnException e) {
            throw new VecnnException(path + ": " + e.getMessage(), e);
        }
    }

    private static <T> T parse(String json, TypeReference<T> type, Path path, String key) {
        try {
            T value = JSON.readValue(json, type);
            if (value == null) {
                throw new VecnnException(path + ": __metadata__ '" + key + "' is null");
            }
            return value;
        } catch (IOException e) {
            throw new VecnnException(path + ": __metadata__ '" + key + "' is malformed: " + e.getMessage());
        }
    }
}
