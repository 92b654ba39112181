package io.vecnn.serve;

import io.vecnn.InputSpec;
import io.vecnn.Model;
import io.vecnn.VecnnException;
import io.vecnn.WarmupReport;
import io.vecnn.image.ImageTransform;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A model behind the server: its name in URLs and the model currently serving it, with the batcher its
 * requests queue in. The model's shape, labels and preprocessing are read from the model itself. A reload
 * replaces model and batcher together; the name, shapes and everything a route holds on to stay valid.
 */
final class ServedModel implements AutoCloseable {
    /** The one version each served model has, as the protocol's versioned paths name it. */
    static final String VERSION = "1";

    /** One model, its batcher and input spec; {@code owned} when the server loaded the model and so closes it. */
    private record Generation(Model model, DynamicBatcher batcher, boolean owned, InputSpec spec) {}

    private final String name;
    private final BatchingConfig batching;
    private final Duration warmup;
    private final ServerMetrics metrics;
    private final ModelSource source;
    private volatile Generation current;
    /** Why the model is not ready: "warming up" until {@link #warmUp} has run, a failure's message, or null. */
    private volatile String notReady = "warming up";

    private volatile WarmupReport lastWarmup;
    /** Set by {@link #close()}: a replacement still warming up then never swaps in. */
    private boolean closed;

    /**
     * The model takes requests at once, but reports ready only after {@link #warmUp}.
     *
     * @param source where the model was read from, so {@link #reloadFromSource} can read it again; null for a
     *               model the embedding application passed in (which the server then does not own)
     * @param warmup how long a reloaded model may warm up before it replaces the old one
     */
    ServedModel(
            String name,
            Model model,
            ModelSource source,
            BatchingConfig batching,
            Duration warmup,
            ServerMetrics metrics) {
        this.name = name;
        this.batching = batching;
        this.warmup = warmup;
        this.metrics = metrics;
        this.source = source;
        this.current = start(model, source != null);
    }

    /**
     * Warms the serving model within {@code budget} and reports it ready, even when the budget ran out before
     * the run times settled (a model as warm as the budget allowed beats one never ready); a run that fails
     * leaves it not ready, with the failure as the reason. Not synchronized: a reload may swap a model
     * (warmed in its turn) in meanwhile.
     */
    void warmUp(Duration budget) {
        try {
            lastWarmup = prepare(current.model(), budget);
            notReady = null;
        } catch (RuntimeException e) {
            notReady = "warm-up failed: " + (e instanceof VecnnException ? e.getMessage() : e.toString());
        }
    }

    /**
     * Warms {@code model} for the batch sizes the batcher runs, then runs once each size the budget left out,
     * so every workspace the batcher needs exists before the first request (a zero budget warms nothing and
     * only does the runs).
     */
    private WarmupReport prepare(Model model, Duration budget) {
        int[] sizes = DynamicBatcher.batchSizes(batching.maxBatch());
        WarmupReport report = budget.isZero() ? null : model.warmUp(budget, sizes);
        for (int size : sizes) {
            if (report == null || report.batches().stream().noneMatch(b -> b.size() == size && b.runs() > 0)) {
                model.run(
                        new float[Math.toIntExact(size * model.inputShape().size())],
                        size,
                        new float[Math.toIntExact(size * model.outputShape().size())]);
            }
        }
        return report;
    }

    /**
     * Why this model cannot take traffic ("stopping", "warming up", a failed warm-up, a batch that failed
     * with an {@link Error} and no run succeeding since), or null when it can.
     */
    String notReady(boolean stopping) {
        if (stopping) {
            return "stopping";
        }
        String reason = notReady;
        return reason != null ? reason : current.batcher().unhealthy();
    }

    /** Whether this model failed every probe since a failure: the process should be restarted. */
    boolean dead() {
        return current.batcher().dead();
    }

    /** The server's reason: the first model's that is not ready, or null when all are. */
    static String notReady(Collection<ServedModel> models, boolean stopping) {
        for (ServedModel m : models) {
            String reason = m.notReady(stopping);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    /**
     * Why the process should be restarted: the first model whose batcher failed every probe since a failure;
     * null while every model can still recover. What liveness reports, so an orchestrator restarts the process.
     */
    static String notLive(Collection<ServedModel> models) {
        for (ServedModel m : models) {
            if (m.dead()) {
                return "model '" + m.name() + "' failed " + DynamicBatcher.PROBES_BEFORE_DEAD
                        + " probes in a row after: " + m.batcher().unhealthy();
            }
        }
        return null;
    }

    /** The last warm-up's report (the initial one's or the last reload's), or null before any or with none. */
    WarmupReport lastWarmup() {
        return lastWarmup;
    }

    /** The model served as {@code name}, or a 404 naming the models there are. */
    static ServedModel named(Map<String, ServedModel> models, String name) {
        ServedModel model = models.get(name);
        if (model == null) {
            throw new HttpError(404, "unknown model '" + name + "'; this server has " + models.keySet());
        }
        return model;
    }

    private Generation start(Model model, boolean owned) {
        return new Generation(model, new DynamicBatcher(name, model, batching, metrics), owned, model.inputSpec());
    }

    /**
     * Serves {@code replacement} from now on, once it has warmed up as the server's models do at start (the
     * old model serving meanwhile). New requests go to it at once; requests already queued for the old model
     * run on it, then its batcher stops and, if the server loaded it, it is closed. Returns once the old model
     * is idle. The replacement must take and give the shapes the old one did, since requests
     * in flight were checked against them.
     *
     * @param owned whether the server closes {@code replacement} when it is replaced or the server stops
     */
    void replace(Model replacement, boolean owned) {
        Model serving = current.model();
        if (!replacement.inputShape().equals(serving.inputShape())
                || !replacement.outputShape().equals(serving.outputShape())) {
            throw new VecnnException("model '" + name + "' takes " + serving.inputShape() + " and gives "
                    + serving.outputShape() + "; its replacement takes " + replacement.inputShape() + " and gives "
                    + replacement.outputShape() + " — a reload must keep both shapes");
        }
        // Outside the lock: a warm-up takes seconds, and stopping the server must not wait for it.
        WarmupReport report = prepare(replacement, warmup);
        swap(replacement, owned, report);
    }

    private synchronized void swap(Model replacement, boolean owned, WarmupReport report) {
        if (closed) {
            throw new VecnnException("the server stopped while model '" + name + "' was being replaced");
        }
        Generation old = current;
        Generation next = start(replacement, owned);
        current = next;
        if (report != null) {
            lastWarmup = report;
        }
        old.batcher().retire(next.batcher());
        if (old.owned()) {
            old.model().close();
        }
    }

    /** Reads the model again from the file it was started from; the old one keeps serving if that fails. */
    void reloadFromSource() {
        if (source == null) {
            throw new HttpError(
                    400,
                    "model '" + name + "' was handed to the server as a loaded Model, not a file, so "
                            + "there is nothing to reload it from: reload needs a file (start the server with "
                            + "InferenceServer.startFromFiles, or call InferenceServer.reload with a new Model)");
        }
        Model replacement = source.load();
        try {
            replace(replacement, true);
        } catch (RuntimeException e) {
            replacement.close();
            throw e;
        }
    }

    ModelSource source() {
        return source;
    }

    String name() {
        return name;
    }

    Model model() {
        return current.model();
    }

    DynamicBatcher batcher() {
        return current.batcher();
    }

    List<String> labels() {
        return current.spec().labels();
    }

    /** How an image posted to the model becomes its input. */
    ImageTransform transform() {
        return current.spec().preprocessing();
    }

    /** Values per image in and out. */
    int inputValues() {
        return Math.toIntExact(model().inputShape().size());
    }

    int outputValues() {
        return Math.toIntExact(model().outputShape().size());
    }

    /** The input shape in the protocol's form: a variable batch, then C, H, W. */
    long[] inputShape() {
        var in = model().inputShape();
        return new long[] {-1, in.channels(), in.height(), in.width()};
    }

    /** A classifier's output is {@code [-1, classes]}; a network ending in feature maps keeps C, H, W. */
    long[] outputShape() {
        var out = model().outputShape();
        if (out.height() == 1 && out.width() == 1) {
            return new long[] {-1, out.channels()};
        }
        return new long[] {-1, out.channels(), out.height(), out.width()};
    }

    /** Stops the batcher once what is queued has run, and closes the model if the server loaded it. */
    @Override
    public synchronized void close() {
        closed = true;
        Generation last = current;
        last.batcher().close();
        if (last.owned()) {
            last.model().close();
        }
    }
}
