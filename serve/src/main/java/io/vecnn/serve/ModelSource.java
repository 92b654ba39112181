package io.vecnn.serve;

import io.vecnn.Model;
import io.vecnn.VecnnException;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * A model file the server serves and can read again: {@code POST /v2/repository/models/{name}/load} reloads
 * a model from its source, the file given when the server started (never a path from a request).
 *
 * @param file   the model file
 * @param loader how to read it (a pool size of the caller's choosing, for instance)
 */
public record ModelSource(Path file, Function<Path, Model> loader) {

    public ModelSource {
        if (file == null || loader == null) {
            throw new VecnnException("a model source needs a file and a loader");
        }
    }

    /** {@code file}, read with {@link Model#load(Path)}. */
    public static ModelSource of(Path file) {
        return new ModelSource(file, Model::load);
    }

    /** {@code file}, read with {@link Model#load(Path, int)} onto a pool of {@code threads} the model owns. */
    public static ModelSource of(Path file, int threads) {
        return new ModelSource(file, f -> Model.load(f, threads));
    }

    /** Reads the model; a file that is missing or not a valid model fails with the reader's message. */
    Model load() {
        return loader.apply(file);
    }
}
