package io.vecnn;

import io.vecnn.exec.fast.Plan;
import io.vecnn.exec.fast.RunBuffers;
import io.vecnn.testing.RandomTensors;
import io.vecnn.testing.SmallNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every public way into a run refuses what does not fit before it computes, naming the sizes. */
class ModelInputCheckTest {
    private static final int VALUES = 3 * 32 * 32;

    private static <T extends Throwable> void assertThrowsWith(Class<T> type, String fragment, Executable call) {
        String message = assertThrows(type, call).getMessage();
        assertTrue(message.contains(fragment), "'" + message + "' does not say '" + fragment + "'");
    }

    @Test
    void arraysOfTheWrongLengthOrMissingAreInputShapeExceptions() {
        try (Model model = Model.of(SmallNets.tiny(1))) {
            float[] x = new float[VALUES];
            assertThrowsWith(
                    InputShapeException.class,
                    "input has 5 values; a batch of 1 at 3x32x32 needs 3072",
                    () -> model.run(new float[5], 1));
            assertThrowsWith(
                    InputShapeException.class,
                    "input has 3072 values; a batch of 2 at 3x32x32 needs 6144",
                    () -> model.run(x, 2, new float[20]));
            assertThrowsWith(
                    InputShapeException.class,
                    "output array has 9 values; a batch of 1 gives 10",
                    () -> model.run(x, 1, new float[9]));
            assertThrowsWith(InputShapeException.class, "input array is null", () -> model.run((float[]) null, 1));
            assertThrowsWith(InputShapeException.class, "output array is null", () -> model.run(x, 1, null));
            assertThrowsWith(InputShapeException.class, "input tensor is null", () -> model.run((Tensor) null));
            assertThrowsWith(InputShapeException.class, "input tensor is null", () -> model.runReference(null));
            assertThrowsWith(InputShapeException.class, "input shape is null", () -> model.plan(null));
            assertThrowsWith(InputShapeException.class, "input array is null", () -> model.classify(null, 1, 1));
        }
    }

    @Test
    void batchesThatAreNotPositiveOrOverflowAnArrayAreRefused() {
        try (Model model = Model.of(SmallNets.tiny(1))) {
            float[] x = new float[VALUES];
            assertThrowsWith(InputShapeException.class, "batch size must be positive, got 0", () -> model.run(x, 0));
            assertThrowsWith(
                    InputShapeException.class,
                    "batch size must be positive, got -3",
                    () -> model.run(x, -3, new float[10]));
            // 3072 values per image: a batch of 700,000 needs 2,150,400,000 input values, past any Java array.
            assertThrowsWith(
                    InputShapeException.class,
                    "a batch of 700000 at 3x32x32 needs 2150400000 input values",
                    () -> model.run(x, 700_000));
            assertThrowsWith(
                    InputShapeException.class,
                    "more than a Java array holds",
                    () -> model.run(x, Integer.MAX_VALUE, new float[10]));
            assertThrowsWith(
                    InputShapeException.class, "batch size must be positive, got -1", () -> model.classify(x, -1, 3));
            assertThrowsWith(VecnnException.class, "top-k needs k ≥ 1, got 0", () -> model.classify(x, 1, 0));
        }
    }

    @Test
    void tensorsOfTheWrongShapeAreRefused() {
        try (Model model = Model.of(SmallNets.tiny(1))) {
            assertThrowsWith(
                    InputShapeException.class,
                    "input has 4 channels, the model takes 3",
                    () -> model.run(Tensor.zeros(1, 32, 32, 4)));
            Plan plan = model.plan(model.inputShape());
            assertThrowsWith(
                    InputShapeException.class,
                    "plan for 3x32x32 given an input of 3x16x32",
                    () -> plan.run(Tensor.zeros(1, 16, 32, 3), null));
            assertThrowsWith(
                    VecnnException.class,
                    "profile needs 4 slots, got 3",
                    () -> plan.profile(Tensor.zeros(1, 32, 32, 3), null, new long[3]));
            assertThrowsWith(
                    VecnnException.class,
                    "profile needs 4 slots, got null",
                    () -> plan.profile(Tensor.zeros(1, 32, 32, 3), null, null));
        }
    }

    @Test
    void tensorsCheckTheirOwnDimensionsAndData() {
        assertThrowsWith(InputShapeException.class, "NHWC 1x2x2x3 given null data", () -> new Tensor(1, 2, 2, 3, null));
        assertThrowsWith(
                InputShapeException.class,
                "tensor dimensions must be positive, got NHWC -1x2x2x3",
                () -> Tensor.zeros(-1, 2, 2, 3));
        assertThrowsWith(
                InputShapeException.class,
                "NHWC 65536x65536x1x1 has 4294967296 values",
                () -> Tensor.zeros(65536, 65536, 1, 1));
        assertThrowsWith(
                InputShapeException.class, "NCHW 1x1x2x2 given null data", () -> Tensor.fromNchw(null, 1, 1, 2, 2));
        assertThrowsWith(
                InputShapeException.class,
                "NCHW 1x1x2x2 needs 4 values, got null",
                () -> Tensor.zeros(1, 2, 2, 1).copyFromNchw(null));
    }

    @Test
    void runBuffersOfAnotherPlanOrBatchAreRefused() {
        try (Model model = Model.of(SmallNets.tiny(1));
                Model other = Model.of(SmallNets.tiny(2))) {
            Plan plan = model.plan(model.inputShape());
            float[] x = new float[VALUES];
            float[] out = new float[10];
            assertThrowsWith(
                    VecnnException.class, "run buffers are null", () -> plan.runNchw(null, x, 1, out, null, 0));
            RunBuffers foreign = other.plan(other.inputShape()).newBuffers(1);
            assertThrowsWith(
                    VecnnException.class,
                    "run buffers were made by the plan for 3x32x32 of another model",
                    () -> plan.runNchw(foreign, x, 1, out, null, 0));
            RunBuffers two = plan.newBuffers(2);
            assertThrowsWith(
                    InputShapeException.class,
                    "run buffers hold a batch of 2; this run is a batch of 1",
                    () -> plan.runNchw(two, x, 1, out, null, 0));
            assertThrowsWith(InputShapeException.class, "batch size must be positive, got 0", () -> plan.newBuffers(0));
            // 3072 input values per image: a batch of 800,000 needs more than a Java array holds.
            assertThrowsWith(
                    InputShapeException.class, "needs 2457600000 input values", () -> plan.newBuffers(800_000));
        }
    }

    @Test
    void aMissingFilePathOrPoolIsNamed() {
        assertThrowsWith(VecnnException.class, "model file is null", () -> Model.of(null));
        assertThrowsWith(VecnnException.class, "pool is null", () -> Model.of(SmallNets.tiny(1), null));
        assertThrowsWith(VecnnException.class, "model path is null", () -> Model.load((Path) null));
        assertThrowsWith(
                VecnnException.class, "pool is null", () -> Model.load(Path.of("unused.vnn"), (ForkJoinPool) null));
        assertThrowsWith(VecnnException.class, "pool is null", () -> Model.load(InputStream.nullInputStream(), null));
    }

    @Test
    void aTimeoutBeyondWhatNanosecondsHoldIsNoLimit() {
        try (Model model = Model.of(SmallNets.tiny(1))) {
            float[] x = RandomTensors.gaussian(new Random(3), VALUES, 1);
            float[] out = new float[10];
            model.run(x, 1, out, Duration.ofDays(365L * 1000));
            assertArrayEquals(model.run(x, 1), out);
            assertThrowsWith(
                    VecnnTimeoutException.class,
                    "had passed before the run started",
                    () -> model.run(x, 1, out, Duration.ofSeconds(-1)));
        }
    }
}
