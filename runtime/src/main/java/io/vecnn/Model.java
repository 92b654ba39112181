package io.vecnn;

import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.exec.fast.Plan;
import io.vecnn.exec.fast.PlanBuilder;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Shape;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;

import java.nio.file.Path;
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

    /** The shape of one input image, channels first: {@code 3x224x224}. */
    public Shape inputShape() {
        return file.graph().inputShape();
    }

    /** Class names of the outputs, or an empty list when the model file has none. */
    public List<String> labels() {
        return file.labels();
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
        return run(Tensor.fromNchw(nchw, batch, s.channels(), s.height(), s.width())).toNchw();
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
