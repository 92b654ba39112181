package io.vecnn.modelfile;

import io.vecnn.Shape;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a 40 MB model through the real write path in a JVM of its own and, after the given number of bytes,
 * prints {@code paused} and waits to be killed: {@code WriteModelProbe <file> <bytes>}. The pause makes
 * "killed mid-write" certain rather than a race with a fast disk.
 */
public final class WriteModelProbe {
    private WriteModelProbe() {}

    public static void main(String[] args) {
        long pauseAfter = Long.parseLong(args[1]);
        AtomicWrite.write(Path.of(args[0]), large().content(), out -> new FilterOutputStream(out) {
            private long written;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                written += len;
                if (written >= pauseAfter) {
                    out.flush();
                    System.out.println("paused");
                    System.out.flush();
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
    }

    static ModelFile large() {
        int in = 1000;
        int out = 10_000;
        Map<String, WeightTensor> weights = new LinkedHashMap<>();
        weights.put("fc.weight", new WeightTensor(new int[] {out, in}, new float[out * in]));
        Graph graph = new Graph(
                "input",
                new Shape(in, 1, 1),
                List.of(new Node("fc", new Op.Linear(out, "fc.weight", null), List.of("input"), "fc")),
                "fc");
        return new ModelFile(graph, weights, List.of(), Map.of());
    }
}
