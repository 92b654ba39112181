package io.vecnn.exec.fast;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plan's idle workspaces by batch size, within a byte budget: a run takes one for its batch size (or makes
 * one) and gives it back; when what is idle passes the budget, the workspaces of the batch sizes used least
 * recently are dropped for the collector. A server that runs a fixed set of batch sizes keeps them all (it sizes
 * the budget for them); a caller that sends every batch size from 1 to 1000 does not grow the heap without
 * bound. Synchronized: once per run, far below a run's cost.
 */
final class WorkspacePool {
    /** Batch size → idle workspaces, least recently used first. */
    private final Map<Integer, ArrayDeque<RunBuffers>> idle = new LinkedHashMap<>(16, 0.75f, true);

    private long idleBytes;
    private volatile long budgetBytes;

    WorkspacePool(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** An idle workspace for {@code batch}, or null when there is none. */
    synchronized RunBuffers take(int batch) {
        ArrayDeque<RunBuffers> free = idle.get(batch);
        RunBuffers buffers = free == null ? null : free.poll();
        if (buffers != null) {
            idleBytes -= buffers.bytes;
        }
        return buffers;
    }

    /** Keeps {@code buffers} for the next run at its batch size, unless the budget leaves no room for them. */
    synchronized void give(RunBuffers buffers) {
        if (buffers.bytes > budgetBytes) {
            return;
        }
        idle.computeIfAbsent(buffers.batch, b -> new ArrayDeque<>()).push(buffers);
        idleBytes += buffers.bytes;
        Iterator<ArrayDeque<RunBuffers>> eldest = idle.values().iterator();
        while (idleBytes > budgetBytes && eldest.hasNext()) {
            ArrayDeque<RunBuffers> free = eldest.next();
            while (idleBytes > budgetBytes && !free.isEmpty()) {
                idleBytes -= free.removeLast().bytes;
            }
            if (free.isEmpty()) {
                eldest.remove();
            }
        }
    }

    synchronized long idleBytes() {
        return idleBytes;
    }

    /** A new budget; what is idle beyond it goes at the next {@link #give}. */
    void budget(long bytes) {
        budgetBytes = bytes;
    }
}
