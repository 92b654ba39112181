package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.VecnnTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Groups the requests for one model into batches, the way Triton's and TorchServe's dynamic batchers do:
 * an instance thread takes the first waiting request, gathers more until the batch is full or the first
 * one has waited the configured delay, runs them as one batch and hands each request its slice of the
 * output. A request that does not fit the current batch starts the next one.
 *
 * <p>The model only ever runs the {@linkplain #batchSizes batch sizes} its warm-up prepared: a batch of any
 * other size runs as a few of those (27 images as 16 + 8 + 2 + 1), so the plan keeps a bounded set of
 * workspaces however clients size their requests.
 *
 * <p>Failures stay inside the batch they hit: an {@link Error} (an {@link OutOfMemoryError} most likely) fails
 * that batch's requests with a status and a message, and the instance thread goes on. Until a later run
 * succeeds the batcher reports itself {@linkplain #unhealthy() unhealthy}, so readiness says false; it probes
 * the model itself with one image rather than wait for traffic a load balancer no longer sends it, and after
 * {@value #PROBES_BEFORE_DEAD} failed probes it reports itself {@linkplain #dead() dead}, for liveness to say so
 * and an orchestrator to restart the process.
 */
final class DynamicBatcher implements AutoCloseable {
    private static final long IDLE_POLL_MILLIS = 50;
    static final int PROBES_BEFORE_DEAD = 3;
    private static final long PROBE_PAUSE_MILLIS = 200;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

    /** How a batch runs: {@link Model#run(float[], int, float[], Duration)}, or a test's stand-in. */
    @FunctionalInterface
    interface BatchRunner {
        void run(float[] nchw, int images, float[] out, Duration timeout);
    }

    private final String name;
    private final BatchRunner runner;
    private final int[] sizes;
    private final BatchingConfig config;
    private final ServerMetrics metrics;
    private final BlockingQueue<Pending> queue;
    private final Thread[] instances;
    private final int imageValues;
    private final int outputValues;
    /** Held to read {@link #closing} and queue, and exclusively to set it, so no request is queued after. */
    private final ReadWriteLock admission = new ReentrantReadWriteLock();

    private boolean closing;
    private DynamicBatcher successor;
    /** Why the last run failed with an {@link Error}, until a run succeeds; null when healthy. */
    private volatile String unhealthy;
    /** Probes that failed in a row since the last success. */
    private volatile int failedProbes;

    /** One request: {@code images} images of NCHW input, answered through {@code result}. */
    private record Pending(float[] nchw, int images, long deadline, CompletableFuture<float[]> result) {}

    DynamicBatcher(String name, Model model, BatchingConfig config, ServerMetrics metrics) {
        this(name, model, model::run, config, metrics);
    }

    /** As the public constructor, running batches through {@code runner} (for tests that inject failures). */
    DynamicBatcher(String name, Model model, BatchRunner runner, BatchingConfig config, ServerMetrics metrics) {
        this.name = name;
        this.runner = runner;
        this.sizes = batchSizes(config.maxBatch());
        this.config = config;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.imageValues = Math.toIntExact(model.inputShape().size());
        this.outputValues = Math.toIntExact(model.outputShape().size());
        this.instances = new Thread[config.instances()];
        for (int i = 0; i < instances.length; i++) {
            instances[i] = new Thread(this::serve, "vecnn-batcher-" + name + "-" + (i + 1));
            instances[i].setDaemon(true);
            instances[i].start();
        }
    }

    /**
     * Queues {@code images} images for inference; the future completes with their outputs or fails with an
     * {@link HttpError}. Refused at once with 503 when the queue is full or the server is shutting down.
     *
     * @param deadline the {@link System#nanoTime()} by which the answer is due
     */
    CompletableFuture<float[]> submit(float[] nchw, int images, long deadline) {
        DynamicBatcher next;
        admission.readLock().lock();
        try {
            if (!closing) {
                Pending p = new Pending(nchw, images, deadline, new CompletableFuture<>());
                if (!queue.offer(p)) {
                    throw new HttpError(
                            503,
                            "model '" + name + "' has " + config.queueCapacity()
                                    + " requests waiting, the most it queues; retry later",
                            1);
                }
                return p.result();
            }
            next = successor;
        } finally {
            admission.readLock().unlock();
        }
        if (next == null) {
            throw new HttpError(503, "the server is shutting down", 1);
        }
        // A request that picked this batcher just before a reload replaced it runs on the new model.
        return next.submit(nchw, images, deadline);
    }

    /**
     * The batch sizes the model runs: 1, the powers of two below {@code maxBatch}, and {@code maxBatch}. The
     * warm-up prepares exactly these, and every batch runs as a sum of them, so the workspaces the plan keeps
     * are bounded (a logarithmic count, the largest {@code maxBatch} images) whatever sizes clients send.
     */
    static int[] batchSizes(int maxBatch) {
        List<Integer> sizes = new ArrayList<>();
        for (int b = 1; b < maxBatch; b *= 2) {
            sizes.add(b);
        }
        sizes.add(maxBatch);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code images} as the largest prepared sizes that sum to it, largest first (27 → 16, 8, 2, 1). */
    static int[] split(int images, int[] sizes) {
        List<Integer> parts = new ArrayList<>();
        int left = images;
        for (int i = sizes.length - 1; i >= 0 && left > 0; ) {
            if (sizes[i] <= left) {
                parts.add(sizes[i]);
                left -= sizes[i];
            } else {
                i--;
            }
        }
        return parts.stream().mapToInt(Integer::intValue).toArray();
    }

    int queueDepth() {
        return queue.size();
    }

    /** Why the last run failed with an {@link Error} and no run has succeeded since; null when healthy. */
    String unhealthy() {
        return unhealthy;
    }

    /** Whether the probes after a failure failed {@value #PROBES_BEFORE_DEAD} times in a row: only a restart helps. */
    boolean dead() {
        return failedProbes >= PROBES_BEFORE_DEAD;
    }

    /**
     * An instance thread: takes batches until closed. Whatever a batch throws stays with that batch (its
     * requests are answered), so the thread outlives any failure.
     */
    private void serve() {
        while (true) {
            try {
                takeBatches();
                return;
            } catch (Throwable t) {
                // Only failing the requests themselves can land here (run() answers its own): keep serving.
                failed(t);
            }
        }
    }

    private void takeBatches() {
        Pending carry = null;
        while (true) {
            Pending first;
            try {
                first = carry != null ? carry : queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            carry = null;
            if (first == null) {
                if (closed()) {
                    return;
                }
                if (unhealthy != null) {
                    // No traffic comes to a model readiness has taken out of rotation: it probes itself.
                    probe();
                }
                continue;
            }
            List<Pending> batch = new ArrayList<>();
            batch.add(first);
            int images = first.images();
            long closeAt = System.nanoTime() + config.maxDelay().toNanos();
            while (images < config.maxBatch()) {
                Pending next;
                long wait = closeAt - System.nanoTime();
                try {
                    next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    next = null;
                }
                if (next == null) {
                    break;
                }
                if (images + next.images() > config.maxBatch()) {
                    carry = next;
                    break;
                }
                batch.add(next);
                images += next.images();
            }
            try {
                run(batch);
            } catch (Throwable t) {
                fail(batch, t);
            }
            if (unhealthy != null) {
                probe();
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /** Answers every request of {@code batch} not answered yet with the status {@code t} calls for. */
    private void fail(List<Pending> batch, Throwable t) {
        failed(t);
        HttpError error =
                asHttpError(t, batch.stream().mapToInt(Pending::images).sum());
        for (Pending p : batch) {
            p.result().completeExceptionally(error);
        }
    }

    private void failed(Throwable t) {
        metrics.batchFailure(name, t instanceof OutOfMemoryError ? "out_of_memory" : "error");
        unhealthy = "model '" + name + "' failed a batch with " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")") + " and has not run one since";
    }

    /**
     * After a failure, runs one image of zeros: success makes the batcher healthy again; a failure counts
     * towards {@link #dead()}. Requests arriving meanwhile wait in the queue, as behind any batch.
     */
    private void probe() {
        try {
            runner.run(new float[imageValues], 1, new float[outputValues], PROBE_TIMEOUT);
            unhealthy = null;
            failedProbes = 0;
        } catch (Throwable t) {
            failedProbes++;
            metrics.batchFailure(name, t instanceof OutOfMemoryError ? "out_of_memory" : "error");
            try {
                Thread.sleep(PROBE_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run(List<Pending> batch) {
        long now = System.nanoTime();
        List<Pending> live = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            if (now - p.deadline() >= 0) {
                p.result()
                        .completeExceptionally(new HttpError(
                                503, "request timed out after waiting in the queue of model '" + name + "'", 1));
            } else {
                live.add(p);
            }
        }
        if (live.isEmpty()) {
            return;
        }
        int images = live.stream().mapToInt(Pending::images).sum();
        float[] in;
        if (live.size() == 1) {
            in = live.get(0).nchw();
        } else {
            in = new float[images * imageValues];
            int at = 0;
            for (Pending p : live) {
                System.arraycopy(p.nchw(), 0, in, at, p.nchw().length);
                at += p.nchw().length;
            }
        }
        float[] out = new float[images * outputValues];
        long deadline = live.stream().mapToLong(Pending::deadline).max().orElseThrow();
        long start = System.nanoTime();
        try {
            runPrepared(in, images, out, deadline);
        } catch (RuntimeException e) {
            if (live.size() == 1) {
                live.get(0).result().completeExceptionally(asHttpError(e, images));
            } else {
                // One request must not fail the others: run each alone, each with its own outcome.
                for (Pending p : live) {
                    run(List.of(p));
                }
            }
            return;
        }
        metrics.batch(name, images, System.nanoTime() - start);
        unhealthy = null;
        if (live.size() == 1) {
            live.get(0).result().complete(out);
            return;
        }
        int at = 0;
        for (Pending p : live) {
            int n = p.images() * outputValues;
            float[] mine = new float[n];
            System.arraycopy(out, at, mine, 0, n);
            at += n;
            p.result().complete(mine);
        }
    }

    /** Runs {@code images} images as the prepared batch sizes they split into, one after the other. */
    private void runPrepared(float[] in, int images, float[] out, long deadline) {
        int[] parts = split(images, sizes);
        if (parts.length == 1) {
            runner.run(in, images, out, remaining(deadline));
            return;
        }
        int done = 0;
        for (int part : parts) {
            float[] partIn = Arrays.copyOfRange(in, done * imageValues, (done + part) * imageValues);
            float[] partOut = new float[part * outputValues];
            runner.run(partIn, part, partOut, remaining(deadline));
            System.arraycopy(partOut, 0, out, done * outputValues, partOut.length);
            done += part;
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }

    private HttpError asHttpError(Throwable e, int images) {
        if (e instanceof OutOfMemoryError) {
            return new HttpError(
                    503,
                    "model '" + name + "' ran out of memory running a batch of " + images
                            + " images; retry later, or send fewer images per request",
                    1);
        }
        if (e instanceof VecnnTimeoutException) {
            return new HttpError(
                    503, "inference on model '" + name + "' passed the request timeout: " + e.getMessage(), 1);
        }
        if (e instanceof VecnnException) {
            return new HttpError(400, e.getMessage());
        }
        return new HttpError(500, "inference on model '" + name + "' failed: " + e);
    }

    /** Closing, and nothing left queued: set under the write lock, closing means no request comes after. */
    private boolean closed() {
        admission.readLock().lock();
        try {
            return closing && queue.isEmpty();
        } finally {
            admission.readLock().unlock();
        }
    }

    /** Stops taking requests; the instance threads finish what is queued, then exit. */
    @Override
    public void close() {
        retire(null);
    }

    /**
     * Stops taking requests, sending the ones that still arrive to {@code successor} (when not null); returns
     * once the requests already queued here have run.
     */
    void retire(DynamicBatcher successor) {
        admission.writeLock().lock();
        try {
            this.successor = successor;
            closing = true;
        } finally {
            admission.writeLock().unlock();
        }
        for (Thread t : instances) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
