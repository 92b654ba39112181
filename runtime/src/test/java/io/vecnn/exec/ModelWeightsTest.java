package io.vecnn.exec;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.exec.fast.KernelSelection;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Graph;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.ModelFile;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/**
 * A model keeps its weights only in packed form: what it gives back through weights(), runReference and plans
 * for other input sizes is rebuilt from them, and must equal the file bit for bit.
 */
class ModelWeightsTest {
    private static final SplittableRandom RANDOM = new SplittableRandom(11);

    /**
     * A grouped convolution, then two Linear layers of 192 outputs (a whole number of panels at every vector
     * width, so packed in place when the model owns the arrays) that share one weight.
     */
    private static ModelFile groupedAndShared() {
        Map<String, WeightTensor> w = new LinkedHashMap<>();
        w.put("g.weight", new WeightTensor(new int[] {8, 3, 3, 2}, RandomTensors.gaussian(RANDOM, 8 * 9 * 2, 0.2)));
        w.put("g.bias", WeightTensor.vector(RandomTensors.gaussian(RANDOM, 8, 0.2)));
        w.put(
                "shared.weight",
                new WeightTensor(new int[] {192, 8 * 6 * 6}, RandomTensors.gaussian(RANDOM, 192 * 288, 0.2)));
        w.put("a.bias", WeightTensor.vector(RandomTensors.gaussian(RANDOM, 192, 0.2)));
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node(
                "g", new Op.Conv2d(8, 3, 3, 1, 1, 1, 1, 1, 1, 2, "g.weight", "g.bias"), List.of("input"), "g"));
        nodes.add(new Node("flat", new Op.Flatten(), List.of("g"), "flat"));
        nodes.add(new Node("a", new Op.Linear(192, "shared.weight", "a.bias"), List.of("flat"), "a"));
        nodes.add(new Node("b", new Op.Linear(192, "shared.weight", null), List.of("flat"), "b"));
        nodes.add(new Node("sum", new Op.Add(), List.of("a", "b"), "sum"));
        return new ModelFile(new Graph("input", new Shape(4, 6, 6), nodes, "sum"), w, List.of(), Map.of());
    }

    private static void assertSameWeights(Map<String, WeightTensor> expected, Map<String, WeightTensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        expected.forEach((name, e) -> {
            WeightTensor a = actual.get(name);
            assertArrayEquals(e.shape(), a.shape(), name);
            assertArrayEquals(e.data(), a.data(), name);
            assertNotSame(e.data(), a.data(), name + " is rebuilt, not the file's array");
        });
    }

    @Test
    void weightsAreRebuiltExactlyFromEveryKernelsPackedForm() {
        for (ModelFile file : List.of(FastPathTest.residualNetwork(), groupedAndShared())) {
            for (KernelSelection selection : KernelSelection.values()) {
                try (Model model = Model.of(file).withKernelSelection(selection)) {
                    assertSameWeights(file.weights(), model.weights());
                }
            }
        }
    }

    @Test
    void aModelLoadedFromAFilePacksInPlaceAndStillAgreesWithTheFile(@TempDir Path dir) {
        for (ModelFile file : List.of(FastPathTest.residualNetwork(), groupedAndShared())) {
            Path path = dir.resolve("net.vnn");
            file.write(path);
            Shape s = file.graph().inputShape();
            Tensor x = new Tensor(
                    2, s.height(), s.width(), s.channels(), RandomTensors.gaussian(RANDOM, 2 * (int) s.size(), 0.2));
            try (Model inMemory = Model.of(file).withKernelSelection(KernelSelection.HEURISTIC);
                    Model loaded = Model.load(path).withKernelSelection(KernelSelection.HEURISTIC)) {
                assertSameWeights(ModelFile.read(path).weights(), loaded.weights());
                assertArrayEquals(inMemory.run(x).data(), loaded.run(x).data());
                assertArrayEquals(
                        ReferenceExecutor.run(file.graph(), file.weights(), x).data(),
                        loaded.runReference(x).data());
            }
        }
    }

    @Test
    void aPlanForAnotherInputSizeIsBuiltFromTheRebuiltWeights() {
        ModelFile file = FastPathTest.residualNetwork();
        ModelFile otherSize = new ModelFile(
                new Graph(
                        "input",
                        new Shape(3, 40, 44),
                        file.graph().nodes(),
                        file.graph().output()),
                file.weights(),
                List.of(),
                Map.of());
        Tensor x = new Tensor(1, 40, 44, 3, RandomTensors.gaussian(RANDOM, 40 * 44 * 3, 0.2));
        try (Model model = Model.of(file).withKernelSelection(KernelSelection.HEURISTIC);
                Model direct = Model.of(otherSize).withKernelSelection(KernelSelection.HEURISTIC)) {
            assertArrayEquals(direct.run(x).data(), model.run(x).data());
        }
    }
}
