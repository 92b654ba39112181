package io.vecnn;

import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.exec.fast.Plan;
import io.vecnn.exec.fast.PlanBuilder;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Shape;
import io.vecnn.graph.WeightTensor;
import io.vecnn.image.ImageTransform;
import io.vecnn.modelfile.ModelFile;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded network, ready to run. A model is immutable: load it once and share it between all threads
 * of a server; concurrent {@code run} calls do not interfere. Intra-op parallelism runs on a dedicated
 * {@link ForkJoinPool} — the caller's, or one the model owns (sized to the available processors, shut
 * down by {@link #close()}); never the common pool.
 *
 * <pre>{@code
 * Model model = Model.load(Path.of("resnet18.vnn"));
 * float[] logits = model.run(nchwPixels, 1);   // [batch][classes]
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private final ModelFile file;
    private final ForkJoinPool pool;
    private final boolean ownsPool;
    private final Map<Shape, Plan> plans = new ConcurrentHashMap<>();
    private final KernelSelection selection;

    private Model(ModelFile file, ForkJoinPool pool, boolean ownsPool, KernelSelection selection) {
        this.file = file;
        this.pool = pool;
        this.ownsPool = ownsPool;
        this.selection = selection;
    }

    /**
     * The same model choosing its kernels by {@code selection} (default {@link KernelSelection#MEASURE});
     * shares this model's pool, which stays owned by this model.
     */
    public Model withKernelSelection(KernelSelection selection) {
        return new Model(file, pool, false, selection);
    }

    /** Loads and validates a model file written by {@code vecnn convert}; runs on a pool of its own. */
    public static Model load(Path path) {
        return of(ModelFile.read(path));
    }

    /** Loads a model file; its runs use {@code pool} (the caller keeps ownership of it). */
    public static Model load(Path path, ForkJoinPool pool) {
        return new Model(ModelFile.read(path), pool, false, KernelSelection.MEASURE);
    }

    /**
     * Loads a model file onto a pool of {@code threads} workers that the model owns. With several requests in
     * flight, fewer threads per model and more requests at once give more images per second; one request at
     * a time gets the lowest latency from all cores (see the README's figures).
     */
    public static Model load(Path path, int threads) {
        if (threads < 1) {
            throw new VecnnException("a model needs at least one thread, got " + threads);
        }
        return new Model(ModelFile.read(path), ownPool(threads), true, KernelSelection.MEASURE);
    }

    /**
     * Loads a model from a stream (a classpath resource, an HTTP body); the stream is read to its end and
     * not closed. Runs on a pool of its own.
     */
    public static Model load(InputStream in) {
        return of(ModelFile.read(in));
    }

    /** Loads a model from a stream; its runs use {@code pool} (the caller keeps ownership of it). */
    public static Model load(InputStream in, ForkJoinPool pool) {
        return new Model(ModelFile.read(in), pool, false, KernelSelection.MEASURE);
    }

    /** Wraps a model file already in memory (the converter uses this to run what it is about to write). */
    public static Model of(ModelFile file) {
        return new Model(file, ownPool(Runtime.getRuntime().availableProcessors()), true, KernelSelection.MEASURE);
    }

    /** Wraps a model file already in memory, running on {@code pool}. */
    public static Model of(ModelFile file, ForkJoinPool pool) {
        return new Model(file, pool, false, KernelSelection.MEASURE);
    }

    private static ForkJoinPool ownPool(int threads) {
        int id = POOLS.incrementAndGet();
        AtomicInteger worker = new AtomicInteger();
        return new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("vecnn-" + id + "-" + worker.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Shuts down the pool the model owns; a caller-supplied pool is left alone. */
    @Override
    public void close() {
        if (ownsPool) {
            pool.shutdown();
        }
    }

    /** How many intra-op threads a run uses: the parallelism of the model's pool. */
    public int threads() {
        return pool.getParallelism();
    }

    /** The shape of one input image, channels first: {@code 3x224x224}. */
    public Shape inputShape() {
        return file.graph().inputShape();
    }

    /**
     * Class names of the outputs: the model file's, else ImageNet-1k's for a model with 1000 outputs, else an
     * empty list.
     */
    public List<String> labels() {
        if (!file.labels().isEmpty()) {
            return file.labels();
        }
        return outputShape().size() == ImageNetClasses.names().size() ? ImageNetClasses.names() : List.of();
    }

    /**
     * The input shape, the preprocessing torchvision's published weights of this architecture expect (ImageNet
     * resize 256 / crop 224, 342 / 299 for Inception v3, 32 / 32 and mean = std = 0.5 for LeNet-5) and the labels.
     */
    public InputSpec inputSpec() {
        Shape s = inputShape();
        ImageTransform transform = ImageTransform.forModel(file.provenance().get("architecture"), s.channels(),
                s.height(), s.width());
        return new InputSpec(s, transform, labels());
    }

    /** The shape of one image's output at the model's input size: {@code classes x 1 x 1} for a classifier. */
    public Shape outputShape() {
        return plan(inputShape()).outputShape();
    }

    public Graph graph() {
        return file.graph();
    }

    public Map<String, WeightTensor> weights() {
        return file.weights();
    }

    public Map<String, String> provenance() {
        return file.provenance();
    }

    /**
     * Runs a batch given in PyTorch's NCHW order at the model's input shape.
     *
     * @param nchw  {@code batch × C × H × W} values
     * @param batch number of images
     * @return the output in PyTorch's order: for a classifier, {@code batch × classes} logits
     */
    public float[] run(float[] nchw, int batch) {
        checkBatch(nchw, batch);
        float[] out = new float[Math.toIntExact(batch * outputShape().size())];
        plan(inputShape()).runNchw(nchw, batch, out, pool, 0);
        return out;
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
        long deadline = 0;
        if (timeout != null) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new VecnnTimeoutException("timeout " + timeout + " had passed before the run started");
            }
            deadline = System.nanoTime() + Math.max(1, timeout.toNanos());
        }
        checkBatch(nchw, batch);
        if (out == null) {
            throw new VecnnException("output array is null");
        }
        long needed = batch * outputShape().size();
        if (out.length != needed) {
            throw new VecnnException("output array has " + out.length + " values; a batch of " + batch + " gives "
                    + needed + " (" + outputShape() + " per image)");
        }
        plan(inputShape()).runNchw(nchw, batch, out, pool, deadline);
    }

    /**
     * The {@code k} most probable classes of each image in the batch, with softmax probabilities and the
     * model's {@link #labels()}.
     */
    public List<List<Classification>> classify(float[] nchw, int batch, int k) {
        float[] logits = run(nchw, batch);
        int classes = Math.toIntExact(outputShape().size());
        List<String> labels = labels();
        List<List<Classification>> result = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            result.add(Classification.topK(logits, b * classes, classes, k, labels));
        }
        return List.copyOf(result);
    }

    private void checkBatch(float[] nchw, int batch) {
        if (nchw == null) {
            throw new VecnnException("input is null");
        }
        if (batch <= 0) {
            throw new VecnnException("batch size must be positive, got " + batch);
        }
        Shape s = inputShape();
        long expected = batch * s.size();
        if (nchw.length != expected) {
            throw new VecnnException("input has " + nchw.length + " values; a batch of " + batch + " at "
                    + s + " needs " + expected);
        }
    }

    /** Runs a batch given as an NHWC tensor; returns the NHWC output (a classifier's is {@code N×1×1×classes}). */
    public Tensor run(Tensor nhwc) {
        if (nhwc == null) {
            throw new VecnnException("input is null");
        }
        if (nhwc.channels() != inputShape().channels()) {
            throw new VecnnException("input has " + nhwc.channels() + " channels, the model takes "
                    + inputShape().channels());
        }
        Shape shape = new Shape(nhwc.channels(), nhwc.height(), nhwc.width());
        return plan(shape).run(nhwc, pool);
    }

    /** The execution plan for one input size, built on first use: kernel per layer, fusions, packed weights. */
    public Plan plan(Shape input) {
        return plans.computeIfAbsent(input, s -> PlanBuilder.build(file.graph(), file.weights(), s, selection, pool));
    }

    /**
     * Runs the reference executor (plain loops, the oracle the fast kernels are tested against): for users
     * who suspect a kernel. Much slower.
     */
    public Tensor runReference(Tensor nhwc) {
        if (nhwc == null) {
            throw new VecnnException("input is null");
        }
        return ReferenceExecutor.run(file.graph(), file.weights(), nhwc);
    }
}
