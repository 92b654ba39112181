package io.vecnn.converter.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.WeightFiles;
import io.vecnn.converter.arch.Architecture;
import io.vecnn.converter.arch.ArchitectureRecognition;
import io.vecnn.converter.arch.Architectures;
import io.vecnn.converter.arch.TransformInput;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.converter.testing.Comparison;
import io.vecnn.converter.testing.PythonTorch;
import io.vecnn.converter.torchfile.TorchZipWriter;
import io.vecnn.npy.Npy;
import io.vecnn.testing.RandomTensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every built-in network against real PyTorch on the same weights: state dicts written by torch.save from
 * torchvision's (and seed 001's) own modules at two input sizes and batch 1 and 2, converted, written,
 * loaded and run by VecNN's reference executor, the oracle, and by the fast path users run (see
 * {@code conformance_fixtures.py}); and the other way round, files VecNN synthesises loaded by PyTorch
 * with {@code load_state_dict(strict=True)}.
 */
class PyTorchConformanceTest {
    private static final Map<String, Double> WORST = new ConcurrentHashMap<>();
    /**
     * Set when the suite runs again at another vector width (CI's AVX2 pass): the reference executor is plain
     * scalar Java whose results do not depend on the width, so only the fast path is compared again.
     */
    private static final boolean FAST_PATH_ONLY = Boolean.getBoolean("vecnn.conformance.fastPathOnly");

    @TempDir
    static Path temp;

    @TestFactory
    Stream<DynamicNode> torchSavedStateDictsMatchPyTorch() throws IOException {
        PythonTorch.require();
        Path fixtures = PythonTorch.fixtures("conformance_fixtures.py");
        List<Case> cases = Case.readManifest(fixtures.resolve("manifest.json"));
        Set<String> covered = cases.stream().map(Case::arch).collect(Collectors.toCollection(TreeSet::new));
        covered.addAll(SYNTHESISED.keySet());
        assertEquals(
                new TreeSet<>(Architectures.names()),
                covered,
                "every built-in architecture has a torch.save fixture or a synthesised-file case");
        Loaded loaded = new Loaded(fixtures);
        return cases.stream()
                .map(c -> DynamicContainer.dynamicContainer(
                        c.name(),
                        Stream.concat(
                                Stream.of(DynamicTest.dynamicTest(
                                        "--arch auto recognises " + c.arch(),
                                        () -> assertEquals(
                                                c.arch(),
                                                ArchitectureRecognition.recognise(loaded.stateDict(c))
                                                        .architecture()
                                                        .name()))),
                                c.runs().stream()
                                        .map(r -> DynamicTest.dynamicTest(
                                                r.id(), () -> check(fixtures, loaded, c, r))))));
    }

    private static void check(Path fixtures, Loaded loaded, Case c, Run run) {
        Architecture arch = Architectures.get(c.arch());
        if (run.transformInput() != null) {
            arch = ((TransformInput) arch).withTransformInput(run.transformInput());
        }
        Model model = loaded.model(c, arch, run.inputSize());
        Npy.Array input = Npy.read(fixtures.resolve(run.input()));
        Npy.Array expected = Npy.read(fixtures.resolve(run.expected()));
        Tensor x = nhwc(input);

        if (!FAST_PATH_ONLY) {
            record(run.id(), Comparison.of(model.runReference(x).toNchw(), expected.data()));
        }
        record(run.id() + " fast path", Comparison.of(model.run(x).toNchw(), expected.data()));
    }

    private static Tensor nhwc(Npy.Array nchw) {
        int[] s = nchw.shape();
        return Tensor.fromNchw(nchw.data(), s[0], s[1], s[2], s[3]);
    }

    /**
     * Architecture and input side of every synthesised-file case: the members too large to run at their
     * default size on the reference executor in every test run (EfficientNet-B7, V2-L) are checked here, at
     * a small input, for keys and shapes PyTorch loads strictly and for the function it computes.
     */
    private static final Map<String, Integer> SYNTHESISED = orderedPairs(
            "lenet5", 32,
            "alexnet", 63,
            "googlenet", 64,
            "resnet18", 64,
            "resnet34", 64,
            "resnet50", 64,
            "resnet101", 64,
            "resnet152", 64,
            "resnext50_32x4d", 64,
            "resnext101_32x8d", 64,
            "resnext101_64x4d", 64,
            "wide_resnet50_2", 64,
            "wide_resnet101_2", 64,
            "squeezenet1_0", 64,
            "squeezenet1_1", 64,
            "densenet121", 64,
            "densenet161", 64,
            "densenet169", 64,
            "densenet201", 64,
            "inception_v3", 75,
            "mobilenet_v2", 64,
            "mobilenet_v3_small", 64,
            "efficientnet_b0", 64,
            "efficientnet_v2_s", 64,
            "mobilenet_v3_large", 64,
            "efficientnet_b1", 64,
            "efficientnet_b3", 64,
            "efficientnet_b4", 64,
            "efficientnet_b5", 64,
            "efficientnet_b6", 64,
            "efficientnet_b7", 64,
            "efficientnet_v2_m", 64,
            "efficientnet_v2_l", 64,
            "regnet_y_1_6gf", 64,
            "regnet_y_3_2gf", 64,
            "regnet_y_8gf", 64,
            "regnet_y_16gf", 64,
            "regnet_y_32gf", 64,
            "regnet_x_800mf", 64,
            "regnet_x_1_6gf", 64,
            "regnet_x_3_2gf", 64,
            "regnet_x_8gf", 64,
            "regnet_x_16gf", 64,
            "regnet_x_32gf", 64,
            "mnasnet0_75", 64,
            "mnasnet1_3", 64,
            "shufflenet_v2_x1_5", 64,
            "shufflenet_v2_x2_0", 64,
            "convnext_base", 64,
            "convnext_large", 64,
            "cifar_net", 32,
            "resnet20", 40,
            "resnet56", 32,
            "resnet1202", 32);

    private static Map<String, Integer> orderedPairs(Object... nameThenSize) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenSize.length; i += 2) {
            m.put((String) nameThenSize[i], (Integer) nameThenSize[i + 1]);
        }
        return m;
    }

    static Stream<Arguments> synthesisedCases() {
        return SYNTHESISED.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0} at 3x{1}x{1}")
    @MethodSource("synthesisedCases")
    void synthesisedFileLoadsStrictlyInPyTorchAndMatches(String name, int size) throws IOException {
        PythonTorch.require();
        Architecture arch = Architectures.get(name);
        Path pth = temp.resolve(name + ".pth");
        TorchZipWriter.write(SyntheticWeights.generate(arch, 11, 7), pth, arch.moduleVersions());
        Shape shape = new Shape(3, size, size);
        int batch = 2;
        SplittableRandom random = new SplittableRandom(5);
        float[] x = RandomTensors.gaussian(random, (int) (batch * shape.size()));
        Path input = temp.resolve("input.npy");
        Npy.write(input, new int[] {batch, shape.channels(), shape.height(), shape.width()}, x);
        Path output = temp.resolve("torch.npy");
        boolean transform = arch instanceof TransformInput t && t.transformInput();

        PythonTorch.script("run_state_dict.py", name, pth, input, output, transform ? 1 : 0);

        Model model = Model.of(ModelConversion.convert(WeightFiles.read(pth), arch, shape, "synth"));
        Tensor in = Tensor.fromNchw(x, batch, 3, size, size);
        float[] ours = (FAST_PATH_ONLY ? model.run(in) : model.runReference(in)).toNchw();
        record(
                name + " synthesised, 7 classes, " + shape + (FAST_PATH_ONLY ? " fast path" : ""),
                Comparison.of(ours, Npy.read(output).data()));
    }

    private static void record(String name, Comparison c) {
        WORST.put(name, c.relative());
        System.out.printf("conformance %-44s %s%n", name, c);
        c.assertWithinTolerance(name);
    }

    @AfterAll
    static void summary() {
        System.out.println("conformance: " + WORST.size() + " cases ran against PyTorch"
                + (WORST.isEmpty() ? " (skipped: PyTorch missing)" : ""));
        Map<String, Double> perVariant = new TreeMap<>();
        WORST.forEach((k, v) -> perVariant.merge(variant(k), v, Math::max));
        perVariant.forEach((k, v) -> System.out.printf("conformance:   %-32s largest relative error %.3g%n", k, v));
    }

    /** {@code vgg16.3x64x48.b2 fast path} → {@code vgg16, fast path}. */
    private static String variant(String run) {
        String v = run.split("[. ]", 2)[0];
        if (run.contains(" synthesised")) {
            v += ", synthesised";
        }
        return run.endsWith(" fast path") ? v + ", fast path" : v;
    }

    /** One fixture case: a state dict and the runs on it, from the fixture script's manifest. */
    private record Case(String name, String arch, String weights, List<Run> runs) {
        static List<Case> readManifest(Path path) throws IOException {
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : new ObjectMapper().readTree(path.toFile()).get("cases")) {
                List<Run> runs = new ArrayList<>();
                for (JsonNode r : c.get("runs")) {
                    JsonNode s = r.get("input_size");
                    JsonNode t = r.get("transform_input");
                    runs.add(new Run(
                            r.get("id").asText(),
                            new Shape(
                                    s.get(0).asInt(), s.get(1).asInt(), s.get(2).asInt()),
                            r.get("batch").asInt(),
                            t.isNull() ? null : t.asBoolean(),
                            r.get("input").asText(),
                            r.get("expected").asText()));
                }
                cases.add(new Case(
                        c.get("name").asText(),
                        c.get("arch").asText(),
                        c.get("weights").asText(),
                        runs));
            }
            return cases;
        }
    }

    private record Run(String id, Shape inputSize, int batch, Boolean transformInput, String input, String expected) {}

    /**
     * The state dict and model of the case being tested, read and converted once for all its runs and
     * dropped for the next case: VGG16's take 0.5 GB each.
     */
    private static final class Loaded {
        private final Path fixtures;
        private String stateDictOf;
        private StateDict stateDict;
        private String modelOf;
        private Model model;

        Loaded(Path fixtures) {
            this.fixtures = fixtures;
        }

        StateDict stateDict(Case c) {
            if (!c.name().equals(stateDictOf)) {
                stateDict = null;
                model = null;
                modelOf = null;
                stateDict = WeightFiles.read(fixtures.resolve(c.weights()));
                stateDictOf = c.name();
            }
            return stateDict;
        }

        /** Converted at {@code input}, written to a model file and loaded from it, as a user would. */
        Model model(Case c, Architecture arch, Shape input) {
            String key = c.name() + " " + input + " " + (arch instanceof TransformInput t && t.transformInput());
            if (!Objects.equals(key, modelOf)) {
                model = null;
                Path file = temp.resolve("model.vnn");
                ModelConversion.convert(stateDict(c), arch, input, c.weights()).write(file);
                model = Model.load(file);
                modelOf = key;
            }
            return model;
        }
    }
}
