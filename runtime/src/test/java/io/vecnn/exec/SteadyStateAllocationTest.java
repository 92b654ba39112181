package io.vecnn.exec;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.Workspace;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once warm, a run allocates no feature maps: workspaces are pooled (or the caller's own), weights packed at
 * plan time. What is
 * left is the returned output and a few small task objects. Measured over every thread of the JVM (the
 * work runs on the pool's threads) with com.sun.management's per-thread allocation counters.
 */
class SteadyStateAllocationTest {
    private static final int RUNS = 20;

    private static ModelFile convNet() {
        return SmallNets.classifier(new Shape(3, 64, 64), new int[] {32, 32, 64, 64}, 10, 1, Map.of());
    }

    /**
     * LeNet-5's shape: 6 and 16 channels, fewer than a vector, so the max pools and the GEMM run on channel
     * tails (a loop of masked loads there once allocated every vector: 40 KB per run).
     */
    private static ModelFile narrowNet() {
        SplittableRandom r = new SplittableRandom(5);
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        w.put("c1.w", new WeightTensor(new int[] {6, 5, 5, 3}, RandomTensors.gaussian(r, 6 * 25 * 3, 0.2)));
        w.put("c2.w", new WeightTensor(new int[] {16, 5, 5, 6}, RandomTensors.gaussian(r, 16 * 25 * 6, 0.1)));
        w.put("fc.w", new WeightTensor(new int[] {10, 576}, RandomTensors.gaussian(r, 5760, 0.05)));
        List<Node> nodes = List.of(
                new Node("c1", new Op.Conv2d(6, 5, 5, 1, 1, 0, 0, 1, 1, 1, "c1.w", null), List.of("input"), "c1"),
                new Node("p1", new Op.MaxPool2d(2, 2, 2, 2, 0, 0, false), List.of("c1"), "p1"),
                new Node("c2", new Op.Conv2d(16, 5, 5, 1, 1, 0, 0, 1, 1, 1, "c2.w", null), List.of("p1"), "c2"),
                new Node("p2", new Op.MaxPool2d(3, 3, 2, 2, 1, 1, true), List.of("c2"), "p2"),
                new Node("flat", new Op.Flatten(), List.of("p2"), "flat"),
                new Node("fc", new Op.Linear(10, "fc.w", null), List.of("flat"), "fc"));
        return new ModelFile(new Graph("input", new Shape(3, 32, 32), nodes, "fc"), w, List.of(), Map.of());
    }

    private static long allocatedByAllThreads() {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .mapToLong(Thread::getId)
                .toArray();
        long total = 0;
        for (long bytes : bean.getThreadAllocatedBytes(ids)) {
            total += Math.max(bytes, 0);
        }
        return total;
    }

    @Test
    void warmRunsAllocateAlmostNothing() {
        checkSteadyState(convNet(), new Shape(3, 64, 64), 10);
    }

    @Test
    void warmRunsOnChannelTailsAllocateAlmostNothing() {
        checkSteadyState(narrowNet(), new Shape(3, 32, 32), 10);
    }

    private static void checkSteadyState(ModelFile file, Shape input, int classes) {
        // JDK 17's incubating Vector API does not intrinsify masked loads and stores: it boxes vectors, so
        // the bound only holds on the JDKs the launcher prefers (21+).
        Assumptions.assumeTrue(
                Runtime.version().feature() >= 21,
                "steady-state allocation is checked on JDK 21+ (this is JDK "
                        + Runtime.version().feature() + ")");
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model model = Model.of(file, pool)) {
            int size = (int) input.size();
            Tensor x = new Tensor(1, input.height(), input.width(), input.channels(), new float[size]);
            float[] nchw = new float[size];
            float[] logits = new float[classes];
            Workspace workspace = model.newWorkspace();
            for (int i = 0; i < 1000; i++) {
                model.run(x);
                model.run(nchw, 1, logits);
                model.run(workspace, nchw, 1, logits);
            }
            long before = allocatedByAllThreads();
            for (int i = 0; i < RUNS; i++) {
                model.run(x);
            }
            long perTensorRun = (allocatedByAllThreads() - before) / RUNS;
            before = allocatedByAllThreads();
            for (int i = 0; i < RUNS; i++) {
                model.run(nchw, 1, logits);
            }
            long perRequest = (allocatedByAllThreads() - before) / RUNS;
            before = allocatedByAllThreads();
            for (int i = 0; i < RUNS; i++) {
                model.run(workspace, nchw, 1, logits);
            }
            long perWorkspaceRun = (allocatedByAllThreads() - before) / RUNS;
            // The feature maps of one run are ≈ 1 MB (64·64·32 floats and smaller); what remains is task and
            // queue-node objects, and for run(Tensor) the returned output.
            System.out.println("steady-state allocation: " + perTensorRun + " bytes per run(Tensor), " + perRequest
                    + " bytes per run(nchw, batch, out), " + perWorkspaceRun
                    + " bytes per run(workspace, nchw, batch, out)");
            assertTrue(perTensorRun < 128 * 1024, perTensorRun + " bytes allocated per warm run");
            assertTrue(perRequest < 16 * 1024, perRequest + " bytes allocated per warm run into a caller's array");
            assertTrue(
                    perWorkspaceRun < 16 * 1024,
                    perWorkspaceRun + " bytes allocated per warm run in a caller's workspace");
        } finally {
            pool.shutdown();
        }
    }
}
