package io.vecnn;

import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.GatedPool;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A caller's own workspace: the same results as the pooled path, one thread at a time, one model. */
class WorkspaceTest {
    private static final Shape SHAPE = new Shape(3, 64, 64);

    /** 16 to 32 channels at 32x32 after the stride-2 layer: the stride-1 layer runs by Winograd. */
    private static ModelFile net() {
        return SmallNets.classifier(SHAPE, new int[] {16, 32, 32}, 10, 2, Map.of());
    }

    private static float[] images(int n, long seed) {
        return RandomTensors.gaussian(new Random(seed), n * (int) SHAPE.size(), 1);
    }

    @Test
    void aSecondThreadInAWorkspaceIsRefusedAndTheFirstRunIsUnaffected() throws Exception {
        GatedPool pool = new GatedPool();
        try (Model model = Model.of(net(), pool)) {
            Workspace workspace = model.newWorkspace();
            float[] x = images(4, 1);
            float[] expected = model.run(x, 4);
            float[] first = new float[40];
            pool.holdNextRun();
            Thread runner = new Thread(() -> model.run(workspace, x, 4, first), "first-runner");
            runner.start();
            pool.awaitHeld();
            WorkspaceInUseException e = assertThrows(
                    WorkspaceInUseException.class, () -> model.run(workspace, images(4, 2), 4, new float[40]));
            assertTrue(
                    e.getMessage()
                            .contains("workspace is in use by thread 'first-runner'; thread '"
                                    + Thread.currentThread().getName() + "' tried to run in it"),
                    e.getMessage());
            pool.open();
            runner.join(TimeUnit.SECONDS.toMillis(30));
            assertArrayEquals(expected, first);
            float[] after = new float[40];
            model.run(workspace, x, 4, after);
            assertArrayEquals(expected, after, "the workspace is free again once the first run ended");
        } finally {
            pool.open();
            pool.shutdown();
        }
    }

    @Test
    void aWorkspaceOfAnotherModelOrNoneIsRefused() {
        try (Model model = Model.of(SmallNets.tiny(1));
                Model other = Model.of(SmallNets.tiny(1))) {
            float[] x = new float[3 * 32 * 32];
            WorkspaceMismatchException e = assertThrows(
                    WorkspaceMismatchException.class, () -> model.run(other.newWorkspace(), x, 1, new float[10]));
            assertTrue(e.getMessage().contains("workspace was made by another model"), e.getMessage());
            Model heuristic = model.withKernelSelection(KernelSelection.HEURISTIC);
            assertThrows(
                    WorkspaceMismatchException.class, () -> heuristic.run(model.newWorkspace(), x, 1, new float[10]));
            assertTrue(assertThrows(WorkspaceMismatchException.class, () -> model.run(null, x, 1, new float[10]))
                    .getMessage()
                    .contains("workspace is null"));
            assertThrows(InputShapeException.class, () -> model.run(model.newWorkspace(), x, 0, new float[10]));
        }
    }

    @Test
    void anOverdueRunLeavesTheWorkspaceFree() {
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model model = Model.of(net(), pool)) {
            Workspace workspace = model.newWorkspace();
            float[] x = images(4, 3);
            float[] out = new float[40];
            VecnnTimeoutException e = assertThrows(
                    VecnnTimeoutException.class, () -> model.run(workspace, x, 4, out, Duration.ofNanos(1)));
            assertTrue(e.getMessage().contains("deadline passed"), e.getMessage());
            model.run(workspace, x, 4, out, Duration.ofMinutes(1));
            assertArrayEquals(model.run(x, 4), out);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Bit-identical results at 1 and 2 threads: repeated, in the caller's workspaces (switching batch sizes),
     * pooled, and from 16 threads at once each with its own workspace.
     */
    @Test
    void resultsAreBitIdenticalAcrossPathsRepeatsAndConcurrentCallers() throws Exception {
        ModelFile file = net();
        List<float[]> inputs = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            inputs.add(images(1 + i % 3, i));
        }
        List<float[]> oneThread = null;
        for (int threads = 1; threads <= 2; threads++) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            ExecutorService callers = Executors.newFixedThreadPool(16);
            try (Model model = Model.of(file, pool).withKernelSelection(KernelSelection.HEURISTIC)) {
                List<float[]> serial = new ArrayList<>();
                Workspace workspace = model.newWorkspace();
                for (float[] x : inputs) {
                    int batch = x.length / (int) SHAPE.size();
                    float[] pooled = model.run(x, batch);
                    float[] own = new float[pooled.length];
                    model.run(workspace, x, batch, own);
                    assertArrayEquals(pooled, own);
                    assertArrayEquals(pooled, model.run(x, batch), "a repeated run");
                    serial.add(pooled);
                }
                List<Future<float[]>> concurrent = new ArrayList<>();
                ThreadLocal<Workspace> perThread = ThreadLocal.withInitial(model::newWorkspace);
                for (int round = 0; round < 4; round++) {
                    for (float[] x : inputs) {
                        concurrent.add(callers.submit(() -> {
                            int batch = x.length / (int) SHAPE.size();
                            float[] out = new float[batch * 10];
                            model.run(perThread.get(), x, batch, out);
                            return out;
                        }));
                    }
                }
                for (int i = 0; i < concurrent.size(); i++) {
                    assertArrayEquals(
                            serial.get(i % inputs.size()), concurrent.get(i).get(), "request " + i);
                }
                if (oneThread == null) {
                    oneThread = serial;
                } else {
                    for (int i = 0; i < serial.size(); i++) {
                        assertArrayEquals(oneThread.get(i), serial.get(i), "input " + i + " at 1 and 2 threads");
                    }
                }
            } finally {
                callers.shutdown();
                pool.shutdown();
            }
        }
        assertEquals(inputs.size(), oneThread.size());
    }

    @Test
    void concurrentPooledAndWorkspaceRunsOfOneModelDoNotInterfere() throws Exception {
        ForkJoinPool pool = new ForkJoinPool(2);
        try (Model model = Model.of(net(), pool)) {
            float[] x = images(2, 7);
            float[] expected = model.run(x, 2);
            CompletableFuture<?>[] runs = new CompletableFuture<?>[8];
            for (int i = 0; i < runs.length; i++) {
                boolean own = i % 2 == 0;
                runs[i] = CompletableFuture.runAsync(() -> {
                    Workspace workspace = model.newWorkspace();
                    for (int r = 0; r < 10; r++) {
                        float[] out = new float[20];
                        if (own) {
                            model.run(workspace, x, 2, out);
                        } else {
                            model.run(x, 2, out);
                        }
                        assertArrayEquals(expected, out);
                    }
                });
            }
            CompletableFuture.allOf(runs).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
    }
}
