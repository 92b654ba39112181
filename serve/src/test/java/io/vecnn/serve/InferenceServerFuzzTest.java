package io.vecnn.serve;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vecnn.Model;
import io.vecnn.testing.SmallNets;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzed bodies POSTed over loopback to one in-process server (started once, reused by every execution) on the
 * routes that decode a body: V2 infer as JSON, V2 infer with the binary extension and a fuzzed
 * {@code Inference-Header-Content-Length}, and V1 predict as JPEG, PNG or NPY. Every answer must be a 200 or a
 * 4xx with a JSON error message; a 500, a dropped connection or a timeout is a finding, and the server must
 * still report ready afterwards.
 *
 * <p>Input layout (FuzzedDataProvider takes numbers from the end): the last byte picks the route (0 JSON,
 * 1 binary, 2 JPEG, 3 PNG, 4 NPY); for binary, the byte before it picks a header length within the body (even)
 * or any long (odd), then that number; the body is everything before.
 */
class InferenceServerFuzzTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Model MODEL = Model.of(SmallNets.tiny(1), new ForkJoinPool(1));
    /** No warm-up: it would run beside the fuzzer, and readiness afterwards is about surviving the inputs. */
    private static final InferenceServer SERVER = InferenceServer.start(
            ServerConfig.defaults()
                    .withPort(0)
                    .withHandlerThreads(2)
                    .withMaxBodyBytes(1 << 20)
                    .withRequestTimeout(TIMEOUT)
                    .withWarmup(Duration.ZERO),
            Map.of("m", MODEL));

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    private static final String[] IMAGE_TYPES = {"image/jpeg", "image/png", "application/x-npy"};

    @FuzzTest(maxDuration = "20s")
    void post(FuzzedDataProvider data) {
        int route = data.consumeInt(0, 4);
        HttpRequest.Builder request;
        if (route <= 1) {
            request = HttpRequest.newBuilder(uri("/v2/models/m/infer"));
            if (route == 1) {
                long length = data.consumeBoolean() ? data.consumeLong() : data.consumeInt(0, data.remainingBytes());
                request.header("Content-Type", "application/octet-stream")
                        .header(V2Routes.BINARY_HEADER, String.valueOf(length));
            } else {
                request.header("Content-Type", "application/json");
            }
        } else {
            request =
                    HttpRequest.newBuilder(uri("/v1/models/m:predict")).header("Content-Type", IMAGE_TYPES[route - 2]);
        }
        byte[] body = data.consumeRemainingAsBytes();
        HttpResponse<byte[]> response = send(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        int status = response.statusCode();
        String text = new String(response.body(), StandardCharsets.UTF_8);
        assertTrue(status == 200 || (status >= 400 && status < 500), "status " + status + ": " + text);
        if (status != 200) {
            assertFalse(ServerFixture.json(response).path("error").asText().isBlank(), "no error message: " + text);
        }
        assertEquals(
                200, send(HttpRequest.newBuilder(uri("/v2/health/ready")).GET()).statusCode(), "not ready");
    }

    private static URI uri(String path) {
        return URI.create(SERVER.uri() + path);
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionError("no answer from the server: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
