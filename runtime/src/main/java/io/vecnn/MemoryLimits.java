package io.vecnn;

/**
 * How much memory a {@link Model} keeps for reuse beyond its weights and the plan for its input size: both are
 * caches, so a limit changes speed, never results.
 *
 * @param planCacheBytes     plans for input sizes other than the model's own ({@link Model#run(Tensor)} at
 *                           another height and width), least recently used dropped first; each plan packs
 *                           its own weights, so a size costs about the model's {@link Model#weightBytes()}. A
 *                           plan larger than the whole limit is built for its call and not kept
 * @param idleWorkspaceBytes feature-map workspaces kept between runs, per plan, those of the batch sizes run
 *                           least recently dropped first; a run at a size whose workspace was dropped
 *                           allocates it again ({@link Model#workspaceBytes(int)} says how much)
 */
public record MemoryLimits(long planCacheBytes, long idleWorkspaceBytes) {

    public MemoryLimits {
        if (planCacheBytes < 0 || idleWorkspaceBytes < 0) {
            throw new VecnnException("memory limits must be zero or positive, got plan cache " + planCacheBytes
                    + " bytes and idle workspaces " + idleWorkspaceBytes + " bytes");
        }
    }

    /**
     * An eighth of the heap's limit ({@code -Xmx}) for plans of other sizes, a quarter for idle workspaces:
     * together with the weights, what a model keeps stays well inside the heap however callers vary sizes.
     */
    public static MemoryLimits defaults() {
        long heap = Runtime.getRuntime().maxMemory();
        return new MemoryLimits(heap / 8, heap / 4);
    }

    public MemoryLimits withIdleWorkspaceBytes(long bytes) {
        return new MemoryLimits(planCacheBytes, bytes);
    }

    public MemoryLimits withPlanCacheBytes(long bytes) {
        return new MemoryLimits(bytes, idleWorkspaceBytes);
    }
}
