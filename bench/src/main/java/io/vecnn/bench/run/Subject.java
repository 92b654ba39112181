package io.vecnn.bench.run;

import io.vecnn.Shape;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.graph.GraphStats;
import io.vecnn.modelfile.ModelFile;

import java.nio.file.Path;

/**
 * A model the bench times: a built-in architecture with synthetic weights, or a model file, with its size
 * (parameters, multiply-accumulates per image at its input) worked out once.
 */
public record Subject(String name, ModelFile file, GraphStats stats) {

    public Subject(String name, ModelFile file) {
        this(
                name,
                file,
                GraphStats.of(file.graph(), file.weights(), file.graph().inputShape()));
    }

    /** Synthetic weights with a fixed seed: speed does not depend on the values, and every run times the same model. */
    public static Subject synthetic(Architecture arch) {
        return new Subject(
                arch.name(),
                ModelConversion.convert(SyntheticWeights.generate(arch, 42, arch.defaultNumClasses()), arch, "synth"));
    }

    public static Subject load(Path path) {
        String name = path.getFileName().toString().replaceFirst("\\.vnn$", "");
        return new Subject(name, ModelFile.read(path));
    }

    public Shape input() {
        return file.graph().inputShape();
    }

    public long weightBytes() {
        return stats.parameters() * Float.BYTES;
    }
}
