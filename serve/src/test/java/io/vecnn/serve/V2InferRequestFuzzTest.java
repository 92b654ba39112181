package io.vecnn.serve;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.Model;
import io.vecnn.testing.SmallNets;

import java.time.Duration;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A KServe V2 inference request body, JSON or binary (a JSON header of a fuzzed
 * {@code Inference-Header-Content-Length}, then raw tensors), parsed and checked against a 3x32x32 model the
 * way the infer route does. The only acceptable failure is an {@link HttpError} with a 4xx status and a message.
 *
 * <p>Input layout (FuzzedDataProvider takes numbers from the end): the last byte picks JSON (0), a header
 * length within the body (1) or any header length (2); the body is everything before the numbers.
 */
class V2InferRequestFuzzTest {
    private static final ServedModel MODEL = new ServedModel(
            "m",
            Model.of(SmallNets.tiny(1), new ForkJoinPool(1)),
            null,
            BatchingConfig.NONE,
            Duration.ZERO,
            new ServerMetrics());

    @FuzzTest(maxDuration = "20s")
    void parseAndValidate(FuzzedDataProvider data) {
        int mode = data.consumeInt(0, 2);
        long headerLength = switch (mode) {
            case 0 -> -1;
            case 1 -> data.consumeInt(0, data.remainingBytes());
            default -> data.consumeLong(0, Long.MAX_VALUE);
        };
        byte[] body = data.consumeRemainingAsBytes();
        try {
            V2Routes.validate(V2InferRequest.parse(body, headerLength), MODEL);
        } catch (HttpError expected) {
            assertTrue(expected.status() >= 400 && expected.status() < 500, "status " + expected.status());
            assertFalse(expected.getMessage() == null || expected.getMessage().isBlank(), "blank error message");
        }
    }
}
