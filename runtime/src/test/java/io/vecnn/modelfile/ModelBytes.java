package io.vecnn.modelfile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A model file taken apart for editing, as a hand-editing user or a corrupting disk would: the header as JSON
 * (with the graph JSON inside the metadata as its own tree), and the data section as bytes. Reassembled with
 * or without a fresh CRC32C, computed here from the bytes rather than by the code under test.
 */
final class ModelBytes {
    private static final ObjectMapper JSON = new ObjectMapper();

    final ObjectNode header;
    byte[] data;

    private ModelBytes(ObjectNode header, byte[] data) {
        this.header = header;
        this.data = data;
    }

    static ModelBytes parse(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) b.getLong(0);
        try {
            ObjectNode header = (ObjectNode) JSON.readTree(new String(file, 8, headerLength, StandardCharsets.UTF_8));
            return new ModelBytes(header, Arrays.copyOfRange(file, 8 + headerLength, file.length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ModelBytes read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    ObjectNode metadata() {
        return (ObjectNode) header.get("__metadata__");
    }

    ObjectNode tensor(String name) {
        return (ObjectNode) header.get(name);
    }

    ObjectNode graph() {
        try {
            return (ObjectNode) JSON.readTree(metadata().get("vecnn.graph").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void graph(ObjectNode graph) {
        metadata().put("vecnn.graph", graph.toString());
    }

    /** The graph node of that name, for editing in place (then store the graph back with {@link #graph(ObjectNode)}). */
    static ObjectNode node(ObjectNode graph, String name) {
        for (var n : graph.get("nodes")) {
            if (n.get("name").asText().equals(name)) {
                return (ObjectNode) n;
            }
        }
        throw new IllegalArgumentException("no node " + name);
    }

    static ArrayNode ints(int... values) {
        ArrayNode a = JSON.createArrayNode();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    static ArrayNode strings(String... values) {
        ArrayNode a = JSON.createArrayNode();
        for (String v : values) {
            a.add(v);
        }
        return a;
    }

    /** Records the CRC32C of the data as it is now, as if the writer had produced it. */
    ModelBytes fixChecksum() {
        CRC32C crc = new CRC32C();
        crc.update(data);
        metadata().put("vecnn.data_crc32c", String.format("%08x", crc.getValue()));
        return this;
    }

    byte[] bytes() {
        return withHeader(header.toString().getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] withHeader(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        return b.array();
    }

    Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
