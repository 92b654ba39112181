package io.vecnn;

import io.vecnn.exec.fast.Plan;
import io.vecnn.exec.fast.RunBuffers;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The feature maps of one run, for a caller that keeps one per request thread and runs with
 * {@link Model#run(Workspace, float[], int, float[])}: warm runs then allocate nothing and never wait for a
 * pooled workspace. It holds the buffers of the last batch size it ran (a new size replaces them).
 *
 * <p>A workspace is for one thread at a time: a second thread that enters while a run is in it gets a
 * {@link WorkspaceInUseException} naming both threads, and the run already in it is not disturbed.
 */
public final class Workspace {
    private final Model model;
    private final AtomicReference<Thread> user = new AtomicReference<>();
    private RunBuffers buffers;

    Workspace(Model model) {
        this.model = model;
    }

    boolean belongsTo(Model model) {
        return this.model == model;
    }

    void enter() {
        Thread me = Thread.currentThread();
        if (!user.compareAndSet(null, me)) {
            Thread other = user.get();
            throw new WorkspaceInUseException("workspace is in use by thread '"
                    + (other == null ? "(just finished)" : other.getName()) + "'; thread '" + me.getName()
                    + "' tried to run in it at the same time; give each thread its own Model.newWorkspace()");
        }
    }

    void exit() {
        user.set(null);
    }

    /** The buffers for {@code batch}, made on first use of that size; call between {@link #enter} and {@link #exit}. */
    RunBuffers buffers(Plan plan, int batch) {
        if (buffers == null || buffers.batch() != batch) {
            buffers = plan.newBuffers(batch);
        }
        return buffers;
    }
}
