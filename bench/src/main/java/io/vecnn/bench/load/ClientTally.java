package io.vecnn.bench.load;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** One client's measured requests; only its own thread writes it, so recording takes no lock. */
final class ClientTally {
    private long[] nanos = new long[1024];
    private int ok;
    private final Map<String, Long> errors = new TreeMap<>();
    private String firstError;
    private long firstErrorAt;
    private boolean measured;
    private long lastDone;

    void success(long latencyNanos, long doneNanos) {
        if (ok == nanos.length) {
            nanos = Arrays.copyOf(nanos, 2 * ok);
        }
        nanos[ok++] = latencyNanos;
        done(doneNanos);
    }

    void error(String kind, String message, long doneNanos) {
        errors.merge(kind, 1L, Long::sum);
        if (firstError == null) {
            firstError = kind + ": " + message;
            firstErrorAt = doneNanos;
        }
        done(doneNanos);
    }

    private void done(long doneNanos) {
        measured = true;
        lastDone = doneNanos;
    }

    /** All clients' results as one, once their threads have ended. */
    static Merged merge(Iterable<ClientTally> tallies) {
        int total = 0;
        for (ClientTally t : tallies) {
            total += t.ok;
        }
        long[] all = new long[total];
        Map<String, Long> errors = new TreeMap<>();
        String firstError = null;
        long firstErrorAt = 0;
        boolean measured = false;
        long lastDone = 0;
        int at = 0;
        for (ClientTally t : tallies) {
            System.arraycopy(t.nanos, 0, all, at, t.ok);
            at += t.ok;
            t.errors.forEach((k, n) -> errors.merge(k, n, Long::sum));
            // nanoTime values compare by their difference, which stays right across the counter's wrap-around.
            if (t.firstError != null && (firstError == null || t.firstErrorAt - firstErrorAt < 0)) {
                firstError = t.firstError;
                firstErrorAt = t.firstErrorAt;
            }
            if (t.measured && (!measured || t.lastDone - lastDone > 0)) {
                measured = true;
                lastDone = t.lastDone;
            }
        }
        return new Merged(all, errors, firstError, measured, lastDone);
    }

    /** @param lastDone nanoTime of the last measured answer, when {@code measured} */
    record Merged(long[] latencies, Map<String, Long> errors, String firstError, boolean measured, long lastDone) {
        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
