package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.VecnnTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
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
 */
final class DynamicBatcher implements AutoCloseable {
    private static final long IDLE_POLL_MILLIS = 50;

    private final String name;
    private final Model model;
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

    /** One request: {@code images} images of NCHW input, answered through {@code result}. */
    private record Pending(float[] nchw, int images, long deadline, CompletableFuture<float[]> result) {}

    DynamicBatcher(String name, Model model, BatchingConfig config, ServerMetrics metrics) {
        this.name = name;
        this.model = model;
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

    int queueDepth() {
        return queue.size();
    }

    private void serve() {
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
            run(batch);
            if (Thread.currentThread().isInterrupted()) {
                return;
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
            model.run(in, images, out, Duration.ofNanos(Math.max(1, deadline - start)));
        } catch (RuntimeException e) {
            if (live.size() == 1) {
                live.get(0).result().completeExceptionally(asHttpError(e));
            } else {
                // One request must not fail the others: run each alone, each with its own outcome.
                for (Pending p : live) {
                    run(List.of(p));
                }
            }
            return;
        }
        metrics.batch(name, images, System.nanoTime() - start);
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

    private HttpError asHttpError(RuntimeException e) {
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
