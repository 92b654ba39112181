package io.vecnn.serve;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting for a batcher's answer on a handler thread, with the request's time limit. */
final class Futures {
    private Futures() {}

    static float[] await(CompletableFuture<float[]> result, Duration timeout) {
        try {
            // A little past the batcher's own deadline, which answers first with a precise message.
            return result.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof HttpError error) {
                throw error;
            }
            throw new HttpError(500, "inference failed: " + e.getCause());
        } catch (TimeoutException e) {
            result.cancel(false);
            throw new HttpError(503, "no answer within the request timeout of " + timeout.toMillis() + " ms", 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "the server is shutting down", 1);
        }
    }
}
