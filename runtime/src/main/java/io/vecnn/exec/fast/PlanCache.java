package io.vecnn.exec.fast;

import io.vecnn.Shape;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Plans for input sizes other than a model's own, least recently used first, within a byte budget. A kept plan
 * is charged its {@link Plan#weightBytes()} plus as much again for the workspaces it may keep idle (it is
 * {@linkplain Plan#limitIdleWorkspaces limited} to that), so the budget bounds both. A plan too large for the
 * whole budget is built for its call and not kept. Building happens outside the lock: two callers asking for
 * the same new size at once may both build it; one is kept.
 */
public final class PlanCache {
    private record Kept(Plan plan, long charge) {}

    private final Map<Shape, Kept> plans = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long budgetBytes;

    public PlanCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** The plan for {@code input}, built by {@code build} when none is kept. */
    public Plan get(Shape input, Function<Shape, Plan> build) {
        synchronized (this) {
            Kept kept = plans.get(input);
            if (kept != null) {
                return kept.plan();
            }
        }
        Plan built = build.apply(input);
        long charge = 2 * built.weightBytes();
        synchronized (this) {
            Kept kept = plans.get(input);
            if (kept != null) {
                return kept.plan();
            }
            if (charge <= budgetBytes) {
                built.limitIdleWorkspaces(built.weightBytes());
                plans.put(input, new Kept(built, charge));
                bytes += charge;
                evictBeyond(budgetBytes);
            } else {
                built.limitIdleWorkspaces(0);
            }
        }
        return built;
    }

    /** A new budget: kept plans beyond it are dropped at once. */
    public synchronized void budget(long bytes) {
        budgetBytes = bytes;
        evictBeyond(bytes);
    }

    /** Bytes charged for the plans kept. */
    public synchronized long bytes() {
        return bytes;
    }

    /** How many input sizes have a plan kept. */
    public synchronized int size() {
        return plans.size();
    }

    public synchronized void clear() {
        plans.clear();
        bytes = 0;
    }

    private void evictBeyond(long limit) {
        Iterator<Kept> eldest = plans.values().iterator();
        while (bytes > limit && eldest.hasNext()) {
            bytes -= eldest.next().charge();
            eldest.remove();
        }
    }
}
