package io.vecnn;

import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.exec.fast.Plan;
import io.vecnn.exec.fast.PlanBuilder;
import io.vecnn.exec.fast.PlanCache;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Graph;
import io.vecnn.graph.WeightTensor;
import io.vecnn.image.ImageTransform;
import io.vecnn.modelfile.ModelFile;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded network, ready to run. A model is immutable: load it once and share it between all threads
 * of a server; concurrent {@code run} calls do not interfere. Intra-op parallelism runs on a dedicated
 * {@link ForkJoinPool} — the caller's, or one the model owns (sized to the available processors, shut
 * down by {@link #close()}); never the common pool.
 *
 * <p>The weights are packed for the kernels when the model is built, and the file's arrays are then let go:
 * a model holds its weights once, in packed form. {@link #weights()} and {@link #runReference} rebuild the
 * file's arrays from the packed forms, exactly, when asked.
 *
 * <p>Inputs are checked before anything runs: a wrong length for the batch, a batch that is not positive or
 * too large, a tensor of the wrong shape and a null array each throw an {@link InputShapeException} naming
 * the sizes. NaN and ±∞ in an input are computed with, as PyTorch does: they reach the outputs whose
 * receptive field holds them (ReLU and max pooling keep NaN), and the run ends normally.
 *
 * <pre>{@code
 * Model model = Model.load(Path.of("resnet18.vnn"));
 * float[] logits = model.run(nchwPixels, 1);   // [batch][classes]
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final Graph graph;
    private final List<String> labels;
    private final Map<String, String> provenance;
    /** Every weight's shape, in file order: what {@link #weights()} rebuilds. */
    private final Map<String, int[]> weightShapes;

    private final ForkJoinPool pool;
    private final boolean ownsPool;
    /** The plan for the model's own input size, built with the model; null once the model is released. */
    private volatile Plan plan;
    /** Plans for other input sizes ({@link #run(Tensor)}), bounded by {@link MemoryLimits#planCacheBytes()}. */
    private final PlanCache otherSizes;

    private volatile MemoryLimits limits = MemoryLimits.defaults();
    private final KernelSelection selection;
    private final UseGate gate;
    /** The model this one was derived from by {@link #withKernelSelection}, whose pool it runs on; or null. */
    private final Model parent;

    /**
     * @param ownsArrays whether nothing outside reaches the file's weight arrays (a file this model read), so
     *                   the plan may pack into them rather than beside them
     */
    private Model(ModelFile file, boolean ownsArrays, ForkJoinPool pool, boolean ownsPool, KernelSelection selection) {
        this(
                file.graph(),
                file.labels(),
                file.provenance(),
                file.weights(),
                ownsArrays,
                pool,
                ownsPool,
                selection,
                null);
    }

    private Model(
            Graph graph,
            List<String> labels,
            Map<String, String> provenance,
            Map<String, WeightTensor> weights,
            boolean ownsArrays,
            ForkJoinPool pool,
            boolean ownsPool,
            KernelSelection selection,
            Model parent) {
        this.graph = graph;
        this.labels = labels;
        this.provenance = provenance;
        Map<String, int[]> shapes = new LinkedHashMap<>();
        weights.forEach((name, w) -> shapes.put(name, w.shape().clone()));
        this.weightShapes = Collections.unmodifiableMap(shapes);
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.selection = selection;
        this.parent = parent;
        this.gate = new UseGate(this::release);
        this.otherSizes = new PlanCache(limits.planCacheBytes());
        try {
            plan = PlanBuilder.build(graph, weights, graph.inputShape(), selection, pool, ownsArrays);
            plan.limitIdleWorkspaces(limits.idleWorkspaceBytes());
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    /**
     * The same model choosing its kernels by {@code selection} (default {@link KernelSelection#MEASURE});
     * shares this model's pool, which stays owned by this model: closing this model closes the derived one too.
     */
    public Model withKernelSelection(KernelSelection selection) {
        enter();
        try {
            return new Model(graph, labels, provenance, rebuiltWeights(), true, pool, false, selection, this);
        } finally {
            exit();
        }
    }
    /** Loads and validates a model file written by {@code vecnn convert}; runs on a pool of its own. */
    public static Model load(Path path) {
        return new Model(
                ModelFile.read(given(path, "model path")),
                true,
                ownPool(Runtime.getRuntime().availableProcessors()),
                true,
                KernelSelection.MEASURE);
    }

    /** Loads a model file; its runs use {@code pool} (the caller keeps ownership of it). */
    public static Model load(Path path, ForkJoinPool pool) {
        given(pool, "pool");
        return new Model(ModelFile.read(given(path, "model path")), true, pool, false, KernelSelection.MEASURE);
    }

    /**
     * Loads a model file onto a pool of {@code threads} workers that the model owns. With several requests in
     * flight, fewer threads per model and more requests at once give more images per second; one request at
     * a time gets the lowest latency from all cores (docs/serving.md has figures).
     */
    public static Model load(Path path, int threads) {
        if (threads < 1) {
            throw new VecnnException("a model needs at least one thread, got " + threads);
        }
        return new Model(
                ModelFile.read(given(path, "model path")), true, ownPool(threads), true, KernelSelection.MEASURE);
    }

    /**
     * Loads a model from a stream (a classpath resource, an HTTP body); the stream is read to its end and
     * not closed. Runs on a pool of its own.
     */
    public static Model load(InputStream in) {
        return new Model(
                ModelFile.read(in),
                true,
                ownPool(Runtime.getRuntime().availableProcessors()),
                true,
                KernelSelection.MEASURE);
    }

    /** Loads a model from a stream; its runs use {@code pool} (the caller keeps ownership of it). */
    public static Model load(InputStream in, ForkJoinPool pool) {
        given(pool, "pool");
        return new Model(ModelFile.read(in), true, pool, false, KernelSelection.MEASURE);
    }

    /**
     * Wraps a model file already in memory (the converter uses this to run what it is about to write). The
     * file's arrays are left as they are, so the model packs its weights beside them: while the caller keeps
     * the file, the weights are held twice. {@link #load(Path)} holds them once.
     */
    public static Model of(ModelFile file) {
        return new Model(
                given(file, "model file"),
                false,
                ownPool(Runtime.getRuntime().availableProcessors()),
                true,
                KernelSelection.MEASURE);
    }

    /** Wraps a model file already in memory, running on {@code pool}; see {@link #of(ModelFile)}. */
    public static Model of(ModelFile file, ForkJoinPool pool) {
        return new Model(given(file, "model file"), false, given(pool, "pool"), false, KernelSelection.MEASURE);
    }

    private static <T> T given(T value, String what) {
        if (value == null) {
            throw new VecnnException(what + " is null");
        }
        return value;
    }

    private static ForkJoinPool ownPool(int threads) {
        int id = POOLS.incrementAndGet();
        AtomicInteger worker = new AtomicInteger();
        return new ForkJoinPool(
                threads,
                p -> {
                    ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                    t.setName("vecnn-" + id + "-" + worker.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                null,
                false);
    }

    /**
     * Closes the model: calls already running finish normally, every later call that runs the model or needs
     * its weights throws {@link ModelClosedException}. When the last running call has ended, the plans are
     * dropped and the pool the model owns is shut down (a caller-supplied pool is left alone). Closing again
     * does nothing. The description (input shape, graph, provenance) stays readable.
     */
    @Override
    public void close() {
        gate.close();
    }

    private void release() {
        plan = null;
        otherSizes.clear();
        if (ownsPool) {
            pool.shutdown();
        }
    }

    private void enter() {
        if (parent != null) {
            parent.enter();
        }
        try {
            gate.enter();
        } catch (RuntimeException e) {
            if (parent != null) {
                parent.exit();
            }
            throw e;
        }
    }

    private void exit() {
        gate.exit();
        if (parent != null) {
            parent.exit();
        }
    }

    /** How many intra-op threads a run uses: the parallelism of the model's pool. */
    public int threads() {
        return pool.getParallelism();
    }

    /** The shape of one input image, channels first: {@code 3x224x224}. */
    public Shape inputShape() {
        return graph.inputShape();
    }

    /**
     * Class names of the outputs: the model file's, else ImageNet-1k's for a model with 1000 outputs, else an
     * empty list.
     */
    public List<String> labels() {
        if (!labels.isEmpty()) {
            return labels;
        }
        return outputShape().size() == ImageNetClasses.names().size() ? ImageNetClasses.names() : List.of();
    }

    /**
     * The input shape, the preprocessing torchvision's published weights of this architecture expect (ImageNet
     * resize 256 / crop 224, 342 / 299 for Inception v3, 32 / 32 and mean = std = 0.5 for LeNet-5) and the labels.
     */
    public InputSpec inputSpec() {
        Shape s = inputShape();
        ImageTransform transform =
                ImageTransform.forModel(provenance.get("architecture"), s.channels(), s.height(), s.width());
        return new InputSpec(s, transform, labels());
    }

    /** The shape of one image's output at the model's input size: {@code classes x 1 x 1} for a classifier. */
    public Shape outputShape() {
        return plan(inputShape()).outputShape();
    }

    public Graph graph() {
        return graph;
    }

    /**
     * The weights as the model file holds them, rebuilt from the packed forms the model keeps: new arrays, as
     * large as the file's, on every call (for exporters and tools, not for a request path).
     */
    public Map<String, WeightTensor> weights() {
        enter();
        try {
            return rebuiltWeights();
        } finally {
            exit();
        }
    }

    private Map<String, WeightTensor> rebuiltWeights() {
        Map<String, float[]> data = plan.recoverWeights();
        Map<String, WeightTensor> weights = new LinkedHashMap<>();
        weightShapes.forEach((name, shape) -> weights.put(name, new WeightTensor(shape.clone(), data.get(name))));
        return Collections.unmodifiableMap(weights);
    }

    public Map<String, String> provenance() {
        return provenance;
    }

    /**
     * Runs a batch given in PyTorch's NCHW order at the model's input shape.
     *
     * @param nchw  {@code batch × C × H × W} values
     * @param batch number of images
     * @return the output in PyTorch's order: for a classifier, {@code batch × classes} logits
     */
    public float[] run(float[] nchw, int batch) {
        enter();
        try {
            Plan plan = plan(inputShape());
            float[] out = new float[plan.outputLength(batch)];
            plan.runNchw(nchw, batch, out, pool, 0);
            return out;
        } finally {
            exit();
        }
    }

    /**
     * Runs a batch into the caller's output array: {@code out} holds {@code batch × outputShape().size()} values
     * in NCHW order (logits for a classifier). A warm call allocates (almost) nothing: the feature maps come
     * from a pool of workspaces, one per call in flight, reused across calls.
     */
    public void run(float[] nchw, int batch, float[] out) {
        run(nchw, batch, out, null);
    }

    /**
     * As {@link #run(float[], int, float[])}, abandoned with a {@link VecnnTimeoutException} when it is still
     * running after {@code timeout} (checked between layers, so it stops within one layer's time). The
     * workspace returns to the pool and {@code out} is left unspecified.
     *
     * @param timeout how long the call may take, or null for no limit
     */
    public void run(float[] nchw, int batch, float[] out, Duration timeout) {
        long deadline = deadline(timeout);
        enter();
        try {
            plan(inputShape()).runNchw(nchw, batch, out, pool, deadline);
        } finally {
            exit();
        }
    }

    /**
     * The warm-up budget of {@link #warmUp(int...)}: a bound, not a target (a warm-up that settles ends long
     * before it), generous because a model served on C1 code costs every early request.
     */
    public static final Duration DEFAULT_WARMUP_BUDGET = Duration.ofSeconds(30);

    /** {@link #warmUp(Duration, int...)} within {@link #DEFAULT_WARMUP_BUDGET}. */
    public WarmupReport warmUp(int... batchSizes) {
        return warmUp(DEFAULT_WARMUP_BUDGET, batchSizes);
    }

    /**
     * Runs the model at each batch size it will serve until its run time settles, so that the first requests do not run
     * on code the JIT has not compiled yet (a fresh process runs the kernels several times slower for its first second
     * or so). Each size, smallest first, runs in windows of runs until a window's median stops improving on the
     * previous one's and the JIT has spent under 2 % of the time compiling meanwhile, or until its share of {@code
     * budget} is spent; a run still going at the budget's end is abandoned between two layers, so the call returns
     * within about one layer's time of it. The calling thread's interrupt also ends it.
     *
     * <p>The runs are ordinary runs at the model's input shape, on its pool and its pooled workspaces (which
     * they leave holding one workspace per batch size), with a fixed pseudo-random input; they allocate what
     * {@link #run(float[], int, float[])} does, plus one input and output array per batch size. Meant for
     * before the model takes traffic: runs of other threads meanwhile are safe but slow both down and make
     * the medians noisy.
     *
     * @param budget     the most the warm-up may take; zero does nothing
     * @param batchSizes the batch sizes to warm (duplicates ignored); none means batch 1
     * @return what was run, for how long, and whether each batch size settled
     */
    public WarmupReport warmUp(Duration budget, int... batchSizes) {
        if (budget == null || budget.isNegative()) {
            throw new VecnnException("warm-up budget must be zero or positive, got " + budget);
        }
        int[] batches = batchSizes == null || batchSizes.length == 0
                ? new int[] {1}
                : Arrays.stream(batchSizes).distinct().sorted().toArray();
        enter();
        try {
            Plan plan = plan(inputShape());
            for (int b : batches) {
                plan.outputLength(b); // refuses a batch that is not positive or too large, before any run
                if (b * inputShape().size() > Integer.MAX_VALUE - 8) {
                    throw new InputShapeException("a batch of " + b + " at " + inputShape() + " needs more input values"
                            + " than a Java array holds; warm a smaller batch");
                }
            }
            return Warmup.run(
                    this::runUntil,
                    Math.toIntExact(inputShape().size()),
                    Math.toIntExact(plan.outputShape().size()),
                    batches,
                    budget);
        } finally {
            exit();
        }
    }

    /** A run for {@link Warmup}: as {@link #run(float[], int, float[], Duration)} with the deadline as a nanoTime. */
    private void runUntil(float[] nchw, int batch, float[] out, long deadline) {
        enter();
        try {
            plan(inputShape()).runNchw(nchw, batch, out, pool, deadline);
        } finally {
            exit();
        }
    }

    /**
     * A workspace of this model for {@link #run(Workspace, float[], int, float[])}: for a caller that keeps one
     * per request thread, so warm runs allocate nothing and never contend for the shared pool of workspaces.
     */
    public Workspace newWorkspace() {
        enter();
        try {
            return new Workspace(this);
        } finally {
            exit();
        }
    }

    /**
     * As {@link #run(float[], int, float[])} in the caller's workspace, which one thread at a time may use: a
     * second thread entering it while a run is in it gets a {@link WorkspaceInUseException}, and a workspace
     * of another model a {@link WorkspaceMismatchException}.
     */
    public void run(Workspace workspace, float[] nchw, int batch, float[] out) {
        run(workspace, nchw, batch, out, null);
    }

    /** As {@link #run(Workspace, float[], int, float[])} with a timeout, as in {@link #run(float[], int, float[], Duration)}. */
    public void run(Workspace workspace, float[] nchw, int batch, float[] out, Duration timeout) {
        long deadline = deadline(timeout);
        if (workspace == null || !workspace.belongsTo(this)) {
            throw new WorkspaceMismatchException(
                    workspace == null
                            ? "workspace is null; make one with newWorkspace()"
                            : "workspace was made by another model (or by this one with another kernel selection); make one"
                                    + " with this model's newWorkspace()");
        }
        enter();
        try {
            workspace.enter();
            try {
                Plan plan = plan(inputShape());
                plan.runNchw(workspace.buffers(plan, batch), nchw, batch, out, pool, deadline);
            } finally {
                workspace.exit();
            }
        } finally {
            exit();
        }
    }

    /** The {@link System#nanoTime()} deadline of a timeout, 0 for none; refuses a timeout that has already passed. */
    private static long deadline(Duration timeout) {
        if (timeout == null) {
            return 0;
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new VecnnTimeoutException("timeout " + timeout + " had passed before the run started");
        }
        // A deadline of 0 means none, so a run that happens to end at nanoTime 0 gets 1 instead.
        long deadline = System.nanoTime() + Math.max(1, saturatedNanos(timeout));
        return deadline == 0 ? 1 : deadline;
    }

    /** Nanoseconds of a timeout, at most about 146 years: Duration.toNanos overflows past 292. */
    private static long saturatedNanos(Duration timeout) {
        return timeout.compareTo(Duration.ofDays(365L * 146)) > 0
                ? Duration.ofDays(365L * 146).toNanos()
                : timeout.toNanos();
    }

    /**
     * The {@code k} most probable classes of each image in the batch, with softmax probabilities and the
     * model's {@link #labels()}.
     */
    public List<List<Classification>> classify(float[] nchw, int batch, int k) {
        if (k <= 0) {
            throw new VecnnException("top-k needs k ≥ 1, got " + k);
        }
        float[] logits = run(nchw, batch);
        int classes = Math.toIntExact(outputShape().size());
        List<String> names = labels();
        List<List<Classification>> result = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            result.add(Classification.topK(logits, b * classes, classes, k, names));
        }
        return List.copyOf(result);
    }

    /** Runs a batch given as an NHWC tensor; returns the NHWC output (a classifier's is {@code N×1×1×classes}). */
    public Tensor run(Tensor nhwc) {
        if (nhwc == null) {
            throw new InputShapeException("input tensor is null");
        }
        if (nhwc.channels() != inputShape().channels()) {
            throw new InputShapeException("input has " + nhwc.channels() + " channels, the model takes "
                    + inputShape().channels());
        }
        enter();
        try {
            return plan(new Shape(nhwc.channels(), nhwc.height(), nhwc.width())).run(nhwc, pool);
        } finally {
            exit();
        }
    }

    /**
     * The execution plan for one input size, built on first use: kernel per layer, fusions, packed weights. A
     * size other than the model's input shape is built from the weights rebuilt from the model's own plan.
     */
    public Plan plan(Shape input) {
        if (input == null) {
            throw new InputShapeException("input shape is null");
        }
        enter();
        try {
            Plan own = plan;
            return input.equals(own.inputShape())
                    ? own
                    : otherSizes.get(input, s -> PlanBuilder.build(graph, rebuiltWeights(), s, selection, pool, true));
        } finally {
            exit();
        }
    }

    /**
     * What this model keeps for reuse: plans for other input sizes and idle workspaces; {@link
     * MemoryLimits#defaults()} until {@link #setMemoryLimits} says otherwise.
     */
    public MemoryLimits memoryLimits() {
        return limits;
    }

    /**
     * Bounds what this model keeps for reuse from now on (what is kept beyond the new limits is dropped). The one
     * setting of a model that may change while it is shared: it changes what runs allocate, never what they
     * compute. A server raises the idle workspace limit to the workspaces of the batch sizes it runs.
     */
    public void setMemoryLimits(MemoryLimits limits) {
        given(limits, "memory limits");
        enter();
        try {
            this.limits = limits;
            plan.limitIdleWorkspaces(limits.idleWorkspaceBytes());
            otherSizes.budget(limits.planCacheBytes());
        } finally {
            exit();
        }
    }

    /** Bytes of the workspaces kept idle now for runs at the model's input size, at most the limit's. */
    public long idleWorkspaceBytes() {
        Plan own = plan;
        return own == null ? 0 : own.idleWorkspaceBytes();
    }

    /** Bytes charged now for the plans of other input sizes this model keeps, at most the limit's. */
    public long planCacheBytes() {
        return otherSizes.bytes();
    }

    /**
     * Bytes of the model's packed weights, biases and tables (for its input size): what it holds for as long as
     * it is open. Another input size's plan holds as much again.
     */
    public long weightBytes() {
        enter();
        try {
            return plan.weightBytes();
        } finally {
            exit();
        }
    }

    /**
     * Bytes of feature maps and scratch one run at {@code batch} uses, at the model's input size: what each run
     * in flight holds, and what is kept idle per batch size (within {@link MemoryLimits#idleWorkspaceBytes()}).
     */
    public long workspaceBytes(int batch) {
        enter();
        try {
            return plan.workspaceBytes(batch);
        } finally {
            exit();
        }
    }

    /**
     * Runs the reference executor (plain loops, the oracle the fast kernels are tested against): for users
     * who suspect a kernel. Much slower, and it rebuilds the file's weight arrays for the call.
     */
    public Tensor runReference(Tensor nhwc) {
        if (nhwc == null) {
            throw new InputShapeException("input tensor is null");
        }
        enter();
        try {
            return ReferenceExecutor.run(graph, rebuiltWeights(), nhwc);
        } finally {
            exit();
        }
    }
}
