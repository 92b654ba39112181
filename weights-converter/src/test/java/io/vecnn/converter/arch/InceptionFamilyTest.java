package io.vecnn.converter.arch;

import io.vecnn.Model;
import io.vecnn.Shape;
import io.vecnn.Tensor;
import io.vecnn.VecnnException;
import io.vecnn.converter.ModelConversion;
import io.vecnn.converter.statedict.DType;
import io.vecnn.converter.statedict.StateDict;
import io.vecnn.converter.statedict.TorchTensor;
import io.vecnn.converter.synth.SyntheticWeights;
import io.vecnn.graph.Node;
import io.vecnn.graph.Op;
import io.vecnn.modelfile.ModelFile;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GoogLeNet's and Inception v3's particulars: aux heads, transform_input, the "5x5" branch. */
class InceptionFamilyTest {
    private static final Shape SMALL = new Shape(3, 75, 75);

    @Test
    void auxHeadsAreCheckedAndSkippedOrMayBeAbsentAsAWhole() {
        StateDict full = SyntheticWeights.generate(new GoogLeNet(true), 1, 10);
        ModelFile withAux = ModelConversion.convert(full, new GoogLeNet(true), "test");
        assertEquals(
                "aux1 (2,174,474 values), aux2 (2,176,522 values): training-only heads, not run",
                withAux.provenance().get("skipped"));
        assertTrue(withAux.graph().nodes().stream().noneMatch(n -> n.name().startsWith("aux")));

        Map<String, TorchTensor> noAux = new LinkedHashMap<>(full.tensors());
        noAux.keySet().removeIf(k -> k.startsWith("aux"));
        ModelFile without = ModelConversion.convert(new StateDict(noAux), new GoogLeNet(true), "test");
        assertNull(without.provenance().get("skipped"));
        assertEquals(withAux.graph(), without.graph());

        Map<String, TorchTensor> partial = new LinkedHashMap<>(full.tensors());
        partial.remove("aux2.fc2.bias");
        VecnnException e = assertThrows(
                VecnnException.class,
                () -> ModelConversion.convert(new StateDict(partial), new GoogLeNet(true), "test"));
        assertEquals("state dict does not match googlenet: 1 missing key(s): aux2.fc2.bias", e.getMessage());
    }

    @Test
    void auxLogitsDoNotStopInceptionV3AtSizesItsHeadCouldNotTake() {
        StateDict weights = SyntheticWeights.generate(new InceptionV3(true), 1, 10);
        ModelFile model = ModelConversion.convert(weights, new InceptionV3(true), SMALL, "test");
        assertTrue(model.provenance().get("skipped").startsWith("AuxLogits ("));
    }

    @Test
    void transformInputFoldsIntoAnUnpaddedConvolutionAndStaysAnOpBeforeAPaddedOne() {
        StateDict v3 = SyntheticWeights.generate(new InceptionV3(true), 2, 10);
        ModelFile folded = ModelConversion.convert(v3, new InceptionV3(true), SMALL, "test");
        assertEquals("Conv2d_1a_3x3.conv", folded.graph().nodes().get(0).name());
        assertTrue(folded.graph().nodes().stream().noneMatch(n -> n.op() instanceof Op.ChannelAffine));
        assertEquals("true", folded.provenance().get("transform_input"));
        assertSameAsTransformingTheInput(folded, ModelConversion.convert(v3, new InceptionV3(false), SMALL, "test"));

        StateDict googlenet = SyntheticWeights.generate(new GoogLeNet(true), 2, 10);
        Shape size = new Shape(3, 33, 40);
        ModelFile kept = ModelConversion.convert(googlenet, new GoogLeNet(true), size, "test");
        Node first = kept.graph().nodes().get(0);
        assertEquals("transform_input", first.name());
        assertTrue(first.op() instanceof Op.ChannelAffine);
        assertSameAsTransformingTheInput(kept, ModelConversion.convert(googlenet, new GoogLeNet(false), size, "test"));
    }

    /** {@code on(x)} must equal {@code off(x * std / 0.5 + (mean - 0.5) / 0.5)}, padded borders included. */
    private static void assertSameAsTransformingTheInput(ModelFile on, ModelFile off) {
        Shape s = on.graph().inputShape();
        double[] mean = {0.485, 0.456, 0.406};
        double[] std = {0.229, 0.224, 0.225};
        float[] x = new float[(int) (2 * s.size())];
        float[] mapped = new float[x.length];
        SplittableRandom random = new SplittableRandom(3);
        int plane = s.height() * s.width();
        for (int i = 0; i < x.length; i++) {
            int c = i / plane % 3;
            x[i] = (float) random.nextGaussian();
            mapped[i] = (float) (x[i] * (float) (std[c] / 0.5) + (float) ((mean[c] - 0.5) / 0.5));
        }
        float[] a = Model.of(on)
                .runReference(Tensor.fromNchw(x, 2, 3, s.height(), s.width()))
                .toNchw();
        float[] b = Model.of(off)
                .runReference(Tensor.fromNchw(mapped, 2, 3, s.height(), s.width()))
                .toNchw();
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(b[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertTrue(scale > 0 && diff <= 1e-5 * scale, "max diff " + diff + " of " + scale);
    }

    @Test
    void theFiveByFiveBranchTakesItsKernelFromTheFile() {
        Map<String, TorchTensor> tensors = new LinkedHashMap<>(
                SyntheticWeights.generate(new GoogLeNet(false), 1, 10).tensors());
        int[] threeByThree = tensors.get("inception3a.branch3.1.conv.weight").shape();
        assertEquals(3, threeByThree[2]);
        int[] five = {threeByThree[0], threeByThree[1], 5, 5};
        tensors.put(
                "inception3a.branch3.1.conv.weight",
                new TorchTensor(DType.FLOAT32, five, new float[(int) TorchTensor.numel(five)]));

        ModelFile model = ModelConversion.convert(new StateDict(tensors), new GoogLeNet(false), "test");

        Op.Conv2d conv = (Op.Conv2d) model.graph().nodes().stream()
                .filter(n -> n.name().equals("inception3a.branch3.1.conv"))
                .findFirst()
                .orElseThrow()
                .op();
        assertEquals(5, conv.kernelH());
        assertEquals(2, conv.padH());
        assertFalse(model.graph().nodes().stream().anyMatch(n -> n.op() instanceof Op.ChannelAffine));
    }
}
