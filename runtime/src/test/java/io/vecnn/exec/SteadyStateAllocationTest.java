package io.vecnn.exec;

import io.vecnn.Model;
import io.vecnn.Tensor;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.Shape;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once warm, a run allocates no feature maps: workspaces are pooled, weights packed at plan time. What is
 * left is the returned output and a few small task objects. Measured over every thread of the JVM (the
 * work runs on the pool's threads) with com.sun.management's per-thread allocation counters.
 */
class SteadyStateAllocationTest {
    private static final int RUNS = 20;

    private static ModelFile convNet() {
        List<Node> nodes = new ArrayList<>();
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        String in = "input";
        int c = 3;
        int[] widths = {32, 32, 64, 64};
        for (int i = 0; i < widths.length; i++) {
            String name = "conv" + i;
            w.put(name + ".weight", new WeightTensor(new int[] {widths[i], 3, 3, c}, new float[widths[i] * 9 * c]));
            w.put(name + ".bias", WeightTensor.vector(new float[widths[i]]));
            nodes.add(new Node(name, new Op.Conv2d(widths[i], 3, 3, i % 2 + 1, i % 2 + 1, 1, 1, 1, 1, 1,
                    name + ".weight", name + ".bias"), List.of(in), name));
            nodes.add(new Node(name + ".relu", new Op.Relu(), List.of(name), name + ".relu"));
            in = name + ".relu";
            c = widths[i];
        }
        nodes.add(new Node("pool", new Op.AdaptiveAvgPool2d(1, 1), List.of(in), "pool"));
        nodes.add(new Node("flat", new Op.Flatten(), List.of("pool"), "flat"));
        w.put("fc.weight", new WeightTensor(new int[] {10, 64}, new float[640]));
        nodes.add(new Node("fc", new Op.Linear(10, "fc.weight", null), List.of("flat"), "fc"));
        return new ModelFile(new Graph("input", new Shape(3, 64, 64), nodes, "fc"), w, List.of(), Map.of());
    }

    private static long allocatedByAllThreads() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream().mapToLong(Thread::getId).toArray();
        long total = 0;
        for (long bytes : bean.getThreadAllocatedBytes(ids)) {
            total += Math.max(bytes, 0);
        }
        return total;
    }

    @Test
    void warmRunsAllocateAlmostNothing() {
        // JDK 17's incubating Vector API does not intrinsify masked loads and stores: it boxes vectors, so
        // the bound only holds on the JDKs the launcher prefers (21+).
        Assumptions.assumeTrue(Runtime.version().feature() >= 21,
                "steady-state allocation is checked on JDK 21+ (this is JDK " + Runtime.version().feature() + ")");
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model model = Model.of(convNet(), pool)) {
            Tensor x = new Tensor(1, 64, 64, 3, new float[64 * 64 * 3]);
            for (int i = 0; i < 1000; i++) {
                model.run(x);
            }
            long before = allocatedByAllThreads();
            for (int i = 0; i < RUNS; i++) {
                model.run(x);
            }
            long perRun = (allocatedByAllThreads() - before) / RUNS;
            // The feature maps of one run are ≈ 1 MB (64·64·32 floats and smaller); what remains is ForkJoin task
            // objects and the returned output.
            System.out.println("steady-state allocation: " + perRun + " bytes per run");
            assertTrue(perRun < 128 * 1024, perRun + " bytes allocated per warm run");
        } finally {
            pool.shutdown();
        }
    }
}
