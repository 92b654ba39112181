package io.vecnn.exec;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.Workspace;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Map;
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
        // JDK 17's incubating Vector API does not intrinsify masked loads and stores: it boxes vectors, so
        // the bound only holds on the JDKs the launcher prefers (21+).
        Assumptions.assumeTrue(
                Runtime.version().feature() >= 21,
                "steady-state allocation is checked on JDK 21+ (this is JDK "
                        + Runtime.version().feature() + ")");
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model model = Model.of(convNet(), pool)) {
            Tensor x = new Tensor(1, 64, 64, 3, new float[64 * 64 * 3]);
            float[] nchw = new float[3 * 64 * 64];
            float[] logits = new float[10];
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
