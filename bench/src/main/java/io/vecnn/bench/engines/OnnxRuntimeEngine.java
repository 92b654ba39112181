package io.vecnn.bench.engines;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.VecnnException;
import io.vecnn.converter.onnx.OnnxExport;
import io.vecnn.graph.Node;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;

/**
 * ONNX Runtime (CPU execution provider) running a VecNN model exported to ONNX: all graph optimizations,
 * {@code threads} intra-op threads, sequential execution, as a tuned ORT deployment would run a CNN. ONNX
 * node names are VecNN's node names, so per-node profiles line up with VecNN's layers. The exported file
 * lives in a temporary file until {@link #close()}, for the profiling session, rather than on the heap
 * (VGG16's is 550 MB).
 */
public final class OnnxRuntimeEngine implements Engine, NodeProfiler {
    /** Room for the cpuinfo parse, 64 times a Java thread's default stack (whose pages are touched only when used). */
    private static final long ENVIRONMENT_STACK_BYTES = 64L << 20;

    private final OrtEnvironment env;
    private final Path onnx;
    private final Shape input;
    private final Set<String> vecnnNodes;
    private final int threads;
    private final OrtSession session;

    private OnnxRuntimeEngine(OrtEnvironment env, Path onnx, Model model, int threads) throws OrtException {
        this.env = env;
        this.onnx = onnx;
        this.input = model.inputShape();
        this.vecnnNodes = model.graph().nodes().stream().map(Node::name).collect(Collectors.toUnmodifiableSet());
        this.threads = threads;
        try (OrtSession.SessionOptions options = options()) {
            this.session = env.createSession(onnx.toString(), options);
        }
    }

    /** Exports {@code model} and opens an ORT session on it. */
    public static OnnxRuntimeEngine open(Model model, int threads) {
        Path onnx;
        try {
            onnx = Files.createTempFile("vecnn-bench-", ".onnx");
        } catch (IOException e) {
            throw new VecnnException("cannot create a temporary file for the ONNX export: " + e.getMessage(), e);
        }
        try {
            OnnxExport.write(model.graph(), model.weights(), onnx);
            return new OnnxRuntimeEngine(environment(), onnx, model, threads);
        } catch (OrtException | RuntimeException e) {
            deleteQuietly(onnx);
            if (e instanceof OrtException) {
                throw new VecnnException("ONNX Runtime cannot load the exported model: " + e.getMessage(), e);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * ORT's environment, created on a thread with a large stack. Creating it parses {@code /proc/cpuinfo} with
     * libstdc++'s recursive regex matcher, whose depth grows with the length of a line: a CPU with many
     * feature flags (a 712-character {@code flags} line on AMD Zen 5) overflows a Java thread's default 1 MiB
     * stack, and the JVM dies of SIGSEGV without a crash report.
     */
    private static OrtEnvironment environment() {
        FutureTask<OrtEnvironment> create = new FutureTask<>(OrtEnvironment::getEnvironment);
        new Thread(null, create, "onnxruntime-environment", ENVIRONMENT_STACK_BYTES).start();
        try {
            return create.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecnnException("interrupted while ONNX Runtime was starting", e);
        } catch (ExecutionException e) {
            throw new VecnnException("ONNX Runtime cannot start: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public String version() {
        return env.getVersion();
    }

    @Override
    public float[] run(float[] nchw, int batch) {
        try {
            return run(session, nchw, batch);
        } catch (OrtException e) {
            throw new VecnnException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs ORT's own profiler over {@code runs} forward passes, after one unprofiled warm-up pass, on a
     * session of its own (ORT profiles a session from its creation on).
     *
     * @return the mean kernel time per run, in microseconds, by the VecNN node each ORT node computes (see
     *         {@link OrtNodeNames}), in the order they ran; an ORT node that fused several VecNN nodes counts
     *         under the first, and nodes ORT added itself (layout reorders) keep ORT's name
     */
    @Override
    public Map<String, Double> profileNodeMicros(float[] nchw, int batch, int runs) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("vecnn-ort-profile");
            String profile;
            try (OrtSession.SessionOptions options = options()) {
                options.enableProfiling(dir.resolve("ort").toString());
                try (OrtSession profiled = env.createSession(onnx.toString(), options)) {
                    for (int i = 0; i < 1 + runs; i++) {
                        run(profiled, nchw, batch);
                    }
                    profile = profiled.endProfiling();
                }
            }
            Map<String, Double> byVecnnNode = new LinkedHashMap<>();
            OrtProfile.meanKernelMicros(Path.of(profile), 1)
                    .forEach((ortName, micros) ->
                            byVecnnNode.merge(OrtNodeNames.vecnnNode(ortName, vecnnNodes), micros, Double::sum));
            return byVecnnNode;
        } catch (OrtException | IOException e) {
            throw new VecnnException("cannot profile ONNX Runtime: " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new VecnnException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
        } finally {
            deleteQuietly(onnx);
        }
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        return options;
    }

    private float[] run(OrtSession on, float[] nchw, int batch) throws OrtException {
        long[] dims = {batch, input.channels(), input.height(), input.width()};
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(nchw), dims);
                OrtSession.Result result = on.run(Map.of(OnnxExport.INPUT, x))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // A leftover profile in the temp directory is harmless; the measurement is what matters.
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // A leftover export in the temp directory is harmless; the measurement is what matters.
        }
    }
}
