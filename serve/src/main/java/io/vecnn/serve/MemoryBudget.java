package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.VecnnException;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * The heap a server needs, checked before it listens: each model's packed weights, the workspaces of the batch
 * sizes its batcher runs ({@link DynamicBatcher#batchSizes}) for each instance, and the image decode budget. A
 * server that would not fit refuses to start and says what to change, rather than start and fail its first
 * large batch. The models' idle workspace limits are raised to what their batchers run, so those workspaces
 * are kept between requests.
 */
final class MemoryBudget {
    /** What the budget may take of the heap: the rest is for request bodies, responses and the collector. */
    static final double HEAP_SHARE = 0.85;

    private static final double MIB = 1 << 20;

    private MemoryBudget() {}

    /** Checks that {@code models} fit the heap's limit with {@code config}; raises their idle workspace limits. */
    static void check(Collection<ServedModel> models, ServerConfig config, long heapBytes) {
        int[] sizes = DynamicBatcher.batchSizes(config.batching().maxBatch());
        int instances = config.batching().instances();
        long total = config.images().decodeBudgetBytes();
        StringBuilder parts = new StringBuilder();
        for (ServedModel served : models) {
            Model model = served.model();
            long workspaces = 0;
            for (int b : sizes) {
                workspaces += model.workspaceBytes(b);
            }
            workspaces *= instances;
            long weights = model.weightBytes();
            total += weights + workspaces;
            parts.append(String.format(
                    Locale.ROOT,
                    "model '%s': weights %.0f MiB + workspaces %.0f MiB; ",
                    served.name(),
                    weights / MIB,
                    workspaces / MIB));
            if (model.memoryLimits().idleWorkspaceBytes() < workspaces) {
                model.setMemoryLimits(model.memoryLimits().withIdleWorkspaceBytes(workspaces));
            }
        }
        long allowed = (long) (heapBytes * HEAP_SHARE);
        if (total > allowed) {
            throw new VecnnException(String.format(
                    Locale.ROOT,
                    "the server needs about %.0f MiB of heap (%simage decoding %.0f MiB; workspaces for batch sizes"
                            + " %s × %d instance(s)), more than %.0f%% of the heap's limit of %.0f MiB: raise the"
                            + " heap (-Xmx, or VECNN_JAVA_OPTS=-Xmx… for ./vecnn), or lower --max-batch,"
                            + " --instances or --decode-budget-mb",
                    total / MIB,
                    parts,
                    config.images().decodeBudgetBytes() / MIB,
                    Arrays.toString(sizes),
                    instances,
                    HEAP_SHARE * 100,
                    heapBytes / MIB));
        }
    }
}
