package io.vecnn.converter.spec;

import io.vecnn.VecnnException;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user sees when a spec or its weights are wrong: every message says which layer (its path in the
 * spec), which key and which shapes, so the mistake can be found without reading the converter.
 */
class SpecErrorsTest {
    /** conv c1: 3 → 4 channels, 3x3 with bias; linear fc: 16 → 2. On a 3x4x4 input the conv gives 4x2x2. */
    private static final StateDict WEIGHTS = weights(
            "c1.weight",
            new int[] {4, 3, 3, 3},
            "c1.bias",
            new int[] {4},
            "fc.weight",
            new int[] {2, 16},
            "fc.bias",
            new int[] {2});

    @Test
    void wrongPrefixListsTheMissingAndTheUnexpectedKeys() {
        String message = convertFails("""
                {"conv": "features.0"}, "relu", "flatten", {"linear": "classifier.0"}""");

        assertContains(message, "missing key(s): features.0.weight, classifier.0.weight");
        assertContains(message, "unexpected key(s): c1.weight, c1.bias, fc.weight, fc.bias");
    }

    @Test
    void trainingOnlyKeysAreUnexpectedUntilTheirModuleIsIgnored() {
        StateDict sd = weights("c1.weight", new int[] {4, 3, 3, 3}, "aux1.fc.weight", new int[] {2, 8});
        String layers = "{\"conv\": \"c1\"}";

        assertContains(convertFails(spec("[3, 4, 4]", "{}", layers), sd), "1 unexpected key(s): aux1.fc.weight");
        // A prefix names a whole module: "aux" is not "aux1".
        assertContains(convertFails(ignoring("aux", layers), sd), "1 unexpected key(s): aux1.fc.weight");
        NetworkSpec spec = NetworkSpec.parse(ignoring("aux1", layers), "test.json");
        ModelConversion.convert(sd, spec.architecture(sd), "test");
    }

    @Test
    void convWhoseWeightCannotReadItsInputNamesLayerKeyAndBothShapes() {
        StateDict sd = weights("c1.weight", new int[] {4, 2, 3, 3});

        String message = convertFails(spec("[3, 4, 4]", "{}", """
                "relu", {"conv": "c1"}"""), sd);

        assertContains(message, "spec layers[1]");
        assertContains(message, "'c1.weight' has shape [4, 2, 3, 3]");
        assertContains(message, "reads 2 input channels, but the input is 3x4x4");
    }

    @Test
    void convThatWouldOnlyFitAsAGroupedConvolutionIsRefusedUnlessTheSpecSaysGroups() {
        StateDict sd = weights("c1.weight", new int[] {4, 2, 3, 3});

        String message = convertFails(spec("[4, 5, 5]", "{}", """
                {"conv": "c1"}"""), sd);

        assertContains(
                message, "'c1.weight' has shape [4, 2, 3, 3], which reads 2 input channels, but the input is 4x5x5");
        NetworkSpec grouped = NetworkSpec.parse(spec("[4, 5, 5]", "{}", """
                {"conv": "c1", "groups": 2}"""), "test.json");
        ModelConversion.convert(sd, grouped.architecture(sd), "test");
    }

    @Test
    void errorsInsideAModuleNameTheUseAndThePathWithinIt() {
        StateDict sd = weights("b.c1.weight", new int[] {4, 2, 3, 3});

        String message = convertFails(spec("[3, 4, 4]", """
                {"block": [{"parallel": [[{"conv": "{p}.c1"}], []], "join": "add"}]}""", """
                {"use": "block", "p": "b"}"""), sd);

        assertContains(message, "spec layers[0](block)[0].parallel[0][0]");
        assertContains(message, "'b.c1.weight' has shape [4, 2, 3, 3]");
    }

    @Test
    void unknownLayerKindsAreNamedWithTheKindsThereAre() {
        assertContains(convertFails("""
                {"convolution": "c1"}"""), "spec layers[0]: no layer kind in {\"convolution\":\"c1\"}; kinds are [");
        assertContains(
                convertFails("""
                {"conv": "c1"}, "swish\""""),
                "spec layers[1]: unknown layer \"swish\"; plain layers are relu, relu6, sigmoid, tanh, silu, hardswish,"
                        + " hardsigmoid, gelu, flatten, softmax, log_softmax, dropout");
    }

    @Test
    void squeezeExcitationNamesAnUnknownGateAndItsMissingWeights() {
        StateDict sd = weights(
                "c1.weight", new int[] {4, 3, 3, 3}, "se.fc1.weight", new int[] {2, 4, 1, 1}, "se.fc1.bias", new int[] {
                    2
                });

        assertContains(
                convertFails(spec("[3, 4, 4]", "{}", """
                {"conv": "c1"}, {"squeeze_excitation": "se", "scale_activation": "softsign"}"""), sd),
                "spec layers[1]: 'scale_activation' must be relu, none or one of relu6, sigmoid, tanh, silu, hardswish,"
                        + " hardsigmoid, gelu, got \"softsign\"");
        assertContains(convertFails(spec("[3, 4, 4]", "{}", """
                {"conv": "c1"}, {"squeeze_excitation": "se"}"""), sd), "missing key(s): se.fc2.weight, se.fc2.bias");
    }

    @Test
    void misspelledFieldsAreRejectedWithTheFieldsThatExist() {
        assertContains(convertFails("""
                {"conv": "c1", "paddding": 1}"""), "spec layers[0]: 'conv' layers take no field 'paddding'");
        assertContains(convertFails("""
                {"conv": "c1"}, {"max_pool": {"kernel": 2, "strde": 2}}"""), "spec layers[1].max_pool: pools take no field 'strde'");
        assertContains(
                parseFails("""
                {"name": "n", "input_size": [3, 4, 4], "layers": [], "modeles": {}}"""),
                "broken.json: unknown field 'modeles'; a spec has [name, input_size, layers, modules, ignore]");
        assertContains(parseFails("""
                {"name": "n", "input_size": [3, 4, 4], "layers": [], "ignore": "aux1"}"""), "broken.json: 'ignore' must be a list of state-dict prefixes");
    }

    @Test
    void addingBranchesOfDifferentShapesShowsTheShapes() {
        String message = convertFails("""
                {"parallel": [[{"conv": "c1"}], []], "join": "add"}""");

        assertContains(message, "spec layers[0]: the branches to add have different shapes [4x2x2, 3x4x4]");
    }

    @Test
    void usingAModuleThatIsNotDefinedNamesIt() {
        String message = convertFails(spec("[3, 4, 4]", """
                {"block": ["relu"]}""", """
                {"use": "blokc", "p": "x"}"""), WEIGHTS);

        assertContains(message, "spec layers[0]: no module named 'blokc' in 'modules'");
    }

    @Test
    void invalidJsonGivesTheLine() {
        String message = parseFails("""
                {
                  "name": "n",
                  "layers": [relu]
                }""");

        assertContains(message, "broken.json: not valid JSON");
        assertContains(message, "at line 3");
    }

    @Test
    void anInputThatCollapsesToNothingNamesTheLayer() {
        String message = convertFails("""
                {"conv": "c1"}, {"max_pool": 3}""");

        assertContains(message, "input size 3x4x4 does not fit");
        assertContains(message, "node 'layers[1]': input size 2 is too small for pooling window 3");
    }

    @Test
    void jsonNestedBeyondJacksonsLimitIsInvalidJsonNotACrash() {
        String message = parseFails("{\"name\": \"x\", \"input_size\": [3, 4, 4], \"layers\": " + "[".repeat(5000)
                + "]".repeat(5000) + "}");

        assertContains(message, "broken.json: not valid JSON");
        assertContains(message, "nesting depth");
    }

    @Test
    void modulesThatUseEachOtherTwiceAtEveryLevelAreRefusedBeforeExpanding() {
        StringBuilder modules = new StringBuilder("{");
        for (int i = 0; i < 40; i++) {
            modules.append("\"m")
                    .append(i)
                    .append("\": [{\"use\": \"m")
                    .append(i + 1)
                    .append("\"}, {\"use\": \"m")
                    .append(i + 1)
                    .append("\"}], ");
        }
        modules.append("\"m40\": [\"relu\"]}");

        String message = convertFails(spec("[3, 4, 4]", modules.toString(), "{\"use\": \"m0\"}"), WEIGHTS);

        assertContains(message, "expands to more than " + SpecInterpreter.MAX_LAYERS + " layers");
    }

    @Test
    void parametersSubstitutedIntoEachOtherAreRefusedBeforeTheStringGrows() {
        StringBuilder use = new StringBuilder("{\"use\": \"m\"");
        for (int i = 0; i < 40; i++) {
            use.append(", \"p")
                    .append(i)
                    .append("\": \"{p")
                    .append(i + 1)
                    .append("}{p")
                    .append(i + 1)
                    .append("}\"");
        }
        use.append("}");

        String message = convertFails(spec("[3, 4, 4]", "{\"m\": [{\"conv\": \"a{p0}\"}]}", use.toString()), WEIGHTS);

        // After substituting p9, "a{p0}" has become "a" and 2^10 copies of "{p10}": the first step past 4096.
        int length = 1 + (1 << 10) * "{p10}".length();
        assertContains(
                message,
                "spec layers[0]: substituting the module's parameters makes a string of " + length
                        + " characters, more than the " + SpecInterpreter.MAX_TEXT);
    }

    @Test
    void sizesThatWouldOverflowTheShapeArithmeticAreRefused() {
        assertContains(
                parseFails(spec("[3, 2000000000, 2000000000]", "{}", "\"relu\"")),
                "input_size [3,2000000000,2000000000] is larger than 65536 in a dimension");
        assertContains(
                convertFails("{\"conv\": \"c1\", \"padding\": 1073741823}"),
                "'padding' must be a whole number from 0 to 65536, got 1073741823");
    }

    private static String convertFails(String layers) {
        return convertFails(spec("[3, 4, 4]", "{}", layers), WEIGHTS);
    }

    private static String convertFails(String json, StateDict sd) {
        NetworkSpec spec = NetworkSpec.parse(json, "test.json");
        return assertThrows(VecnnException.class, () -> ModelConversion.convert(sd, spec.architecture(sd), "test"))
                .getMessage();
    }

    private static String parseFails(String json) {
        return assertThrows(VecnnException.class, () -> NetworkSpec.parse(json, "broken.json"))
                .getMessage();
    }

    private static String spec(String inputSize, String modules, String layers) {
        return "{\"name\": \"test\", \"input_size\": " + inputSize + ", \"modules\": " + modules + ",\n"
                + "\"layers\": [" + layers + "]}";
    }

    private static String ignoring(String prefix, String layers) {
        return "{\"name\": \"test\", \"input_size\": [3, 4, 4], \"ignore\": [\"" + prefix + "\"], \"layers\": ["
                + layers + "]}";
    }

    private static StateDict weights(Object... keysAndShapes) {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < keysAndShapes.length; i += 2) {
            int[] shape = (int[]) keysAndShapes[i + 1];
            tensors.put(
                    (String) keysAndShapes[i],
                    new TorchTensor(DType.FLOAT32, shape, new float[(int) TorchTensor.numel(shape)]));
        }
        return new StateDict(tensors);
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), "expected the message to contain «" + expected + "», it is: " + message);
    }
}
