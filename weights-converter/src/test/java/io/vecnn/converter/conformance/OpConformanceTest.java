package io.vecnn.converter.conformance;

import io.vecnn.Tensor;
import io.vecnn.converter.fold.WeightLayout;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.testing.Comparison;
import io.vecnn.converter.testing.PythonTorch;
import io.vecnn.exec.reference.ReferenceExecutor;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.graph.WeightTensor;
import io.vecnn.modelfile.GraphCodec;
import io.vecnn.npy.Npy;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Each op of the graph, run by the reference executor, against {@code torch.nn.functional} on odd shapes
 * (see {@code op_fixtures.py}). The node JSON comes from Python in VecNN's graph format, so the codec is
 * exercised too.
 */
class OpConformanceTest {

    @TestFactory
    Stream<DynamicTest> everyOpMatchesTorchFunctional() throws IOException {
        PythonTorch.require();
        Path dir = PythonTorch.fixtures("op_fixtures.py");
        List<Path> cases;
        try (Stream<Path> files = Files.list(dir)) {
            cases = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        return cases.stream()
                .map(json -> DynamicTest.dynamicTest(json.getFileName().toString(), () -> check(dir, json)));
    }

    private static void check(Path dir, Path json) throws IOException {
        String name = json.getFileName().toString().replace(".json", "");
        List<Tensor> inputs = new ArrayList<>();
        while (Files.exists(dir.resolve(name + ".x" + inputs.size() + ".npy"))) {
            inputs.add(nhwc(Npy.read(dir.resolve(name + ".x" + inputs.size() + ".npy"))));
        }
        Node node = GraphCodec.nodeFromJson(Files.readString(json));
        Map<String, WeightTensor> weights = new HashMap<>();
        for (String w : node.op().weights()) {
            Npy.Array a = Npy.read(dir.resolve(name + "." + w + ".npy"));
            weights.put(
                    w,
                    node.op() instanceof Op.Conv2d && w.equals("w")
                            ? WeightLayout.oihwToOhwi(new TorchTensor(DType.FLOAT32, a.shape(), a.data()))
                            : new WeightTensor(a.shape(), a.data()));
        }
        Tensor out = ReferenceExecutor.apply(node, inputs, weights);
        Npy.Array expected = Npy.read(dir.resolve(name + ".expected.npy"));
        Comparison.of(out.toNchw(), expected.data()).assertWithinTolerance(name);
    }

    private static Tensor nhwc(Npy.Array a) {
        int[] s = a.shape();
        return Tensor.fromNchw(a.data(), s[0], s[1], s[2], s[3]);
    }
}
