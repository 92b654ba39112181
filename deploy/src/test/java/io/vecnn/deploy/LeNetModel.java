package io.vecnn.deploy;

import io.vecnn.tools.VecnnMain;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A LeNet-5 model file with seeded weights, made the way a user makes one: {@code vecnn synth}, then {@code convert}. */
final class LeNetModel {
    private LeNetModel() {}

    static Path write(Path dir) {
        Path pth = dir.resolve("lenet5.pth");
        Path vnn = dir.resolve("lenet5.vnn");
        assertEquals(0, VecnnMain.run("synth", "--arch", "lenet5", "--out", pth.toString(), "--seed", "7"));
        assertEquals(
                0, VecnnMain.run("convert", "--weights", pth.toString(), "--arch", "lenet5", "--out", vnn.toString()));
        return vnn;
    }
}
