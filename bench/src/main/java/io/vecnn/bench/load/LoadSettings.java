package io.vecnn.bench.load;

import java.time.Duration;

/**
 * What load to apply to each configuration.
 *
 * @param clients  closed-loop clients: each sends its next request when the answer to its previous one arrives
 * @param warmup   how long the clients send before anything is counted (JIT, connections, the server's kernels)
 * @param duration how long to measure after warm-up; null when a request count decides instead
 * @param requests requests to measure after warm-up when {@code duration} is null, else 0
 * @param payload  how each request carries its input
 * @param images   images per request (the tensor's N)
 * @param timeout  longest wait for one answer; a request that takes longer counts as a "timeout" error
 */
public record LoadSettings(
        int clients, Duration warmup, Duration duration, long requests, Payload payload, int images, Duration timeout) {

    public LoadSettings {
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be at least 1, got " + clients);
        }
        if ((duration == null) == (requests <= 0)) {
            throw new IllegalArgumentException("give either a duration or a request count");
        }
    }

    /** Progress units one configuration takes: seconds in duration mode, measured requests otherwise. */
    public long progressUnits() {
        return duration != null ? (long) Math.ceil((warmup.toMillis() + duration.toMillis()) / 1000.0) : requests;
    }
}
