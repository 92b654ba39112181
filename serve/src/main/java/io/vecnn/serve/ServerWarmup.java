package io.vecnn.serve;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Warms the served models after the server has bound its port, on a thread of its own, so that an orchestrator
 * sees the server live but not ready meanwhile rather than not there at all; then records the time to ready.
 * The models warm one after the other, each within an equal share of what is left of the budget: at the
 * same time they would share the cores and each measure the other's runs.
 */
final class ServerWarmup {
    private final List<ServedModel> models;
    private final Duration budget;
    private final long startNanos;
    private final ServerMetrics metrics;
    /** True once every model is ready; false when the server stopped first. */
    private final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

    private volatile Duration timeToReady;
    private Thread thread;

    /**
     * @param startNanos the {@link System#nanoTime()} the server's start began at (before reading its models),
     *                   which the time to ready counts from
     */
    ServerWarmup(List<ServedModel> models, Duration budget, long startNanos, ServerMetrics metrics) {
        this.models = List.copyOf(models);
        this.budget = budget;
        this.startNanos = startNanos;
        this.metrics = metrics;
    }

    /** Starts warming on a thread named {@code threadName}; with no budget, prepares the models here and now. */
    synchronized void start(String threadName) {
        if (budget.isZero()) {
            warm();
            return;
        }
        thread = new Thread(this::warm, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    private void warm() {
        // Duration.toNanos overflows past 292 years; a year is as good as forever here.
        Duration year = Duration.ofDays(365);
        long end = System.nanoTime() + (budget.compareTo(year) > 0 ? year : budget).toNanos();
        for (int i = 0; i < models.size(); i++) {
            if (Thread.currentThread().isInterrupted()) {
                outcome.complete(false);
                return;
            }
            long share = Math.max(0, end - System.nanoTime()) / (models.size() - i);
            models.get(i).warmUp(Duration.ofNanos(share));
        }
        if (ServedModel.notReady(models, false) != null) {
            // A model whose warm-up failed stays not ready, with the failure as the reason readiness gives.
            outcome.complete(false);
            return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        timeToReady = took;
        metrics.timeToReady(took.toNanos() / 1e9);
        outcome.complete(true);
    }

    /** Stops a warm-up still running (the run in progress finishes first), waiting up to {@code wait} for it. */
    void stop(Duration wait) {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Math.max(1, wait.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        outcome.complete(false);
    }

    /** Waits until every model is ready (true) or the server stops, a warm-up fails or {@code timeout} passes. */
    boolean await(Duration timeout) throws InterruptedException {
        try {
            return outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("the warm-up's outcome never fails", e);
        }
    }

    /** From the start of the server's start to the end of its warm-up; empty until then. */
    Optional<Duration> timeToReady() {
        return Optional.ofNullable(timeToReady);
    }
}
