package io.vecnn.spark;

import io.vecnn.tools.CliRun;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small models for the Spark tests, made as a user makes them: vecnn synth, then vecnn convert. */
final class TestModels {
    private TestModels() {}

    /** A LeNet-5 (3 x 32 x 32 in) with {@code classes} outputs; 1000 outputs get ImageNet's labels. */
    static Path lenet(Path dir, int classes) {
        Path weights = dir.resolve("lenet" + classes + ".pth");
        Path model = dir.resolve("lenet" + classes + ".vnn");
        CliRun synth = CliRun.vecnn("synth", "--arch", "lenet5", "--out", weights, "--num-classes", classes);
        assertEquals(0, synth.exit(), synth.text());
        CliRun convert = CliRun.vecnn("convert", "--weights", weights, "--arch", "lenet5", "--out", model);
        assertEquals(0, convert.exit(), convert.text());
        return model;
    }
}
