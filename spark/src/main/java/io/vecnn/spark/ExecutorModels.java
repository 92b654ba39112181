package io.vecnn.spark;

import io.vecnn.Model;
import io.vecnn.VecnnException;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One {@link Model} per JVM for each model file, checksum and thread count, shared by every task the executor
 * runs (and, in local mode, by the driver): a ResNet-50 is 100 MB of weights and its first runs measure
 * kernels, so a model is loaded once and lives as long as the executor.
 */
final class ExecutorModels {
    private record Key(String path, String sha256, int threads) {}

    private static final ConcurrentMap<Key, Model> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {}

    /**
     * The model at {@code modelPath} (see {@link ModelFiles#locate}), loaded on first use after its SHA-256 is
     * checked against {@code expectedSha256}.
     *
     * @param threads the model's intra-op pool; 1 runs each batch on the calling task's thread
     */
    static Model get(String modelPath, String expectedSha256, int threads) {
        Key key = new Key(modelPath, expectedSha256.toLowerCase(Locale.ROOT), threads);
        return MODELS.computeIfAbsent(key, k -> load(k.path(), k.sha256(), k.threads()));
    }

    private static Model load(String modelPath, String expectedSha256, int threads) {
        Path file = ModelFiles.locate(modelPath);
        String actual = ModelFiles.sha256(file);
        if (!actual.equals(expectedSha256)) {
            throw new VecnnException("model file " + file + " has SHA-256 " + actual + ", not the " + expectedSha256
                    + " the job expects (modelSha256, or the driver's copy): this node sees another file");
        }
        return Model.load(file, threads);
    }
}
