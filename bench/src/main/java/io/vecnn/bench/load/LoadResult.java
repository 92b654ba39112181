package io.vecnn.bench.load;

import java.util.Map;

/**
 * What one configuration measured after warm-up.
 *
 * @param server            the in-process server's setup; null when the load went to a server at --url
 * @param requests          answered or failed requests sent after warm-up
 * @param ok                of those, answered 200
 * @param errors            the others by HTTP status code, or "connection" / "timeout" when there was no answer
 * @param firstError        the first error's message, to tell why without a second run; null without errors
 * @param seconds           from the end of warm-up to the last answer
 * @param requestsPerSecond successful requests per second
 * @param imagesPerSecond   successful requests × images per request, per second
 * @param latencyMs         of the successful requests; null when none succeeded
 * @param batches           batches the server ran for the model meanwhile (from /metrics); null when unknown
 * @param meanBatchSize     images per batch the server formed meanwhile; null when unknown or no batch ran
 */
public record LoadResult(
        ServedConfig server,
        long requests,
        long ok,
        Map<String, Long> errors,
        String firstError,
        double seconds,
        double requestsPerSecond,
        double imagesPerSecond,
        LoadLatency latencyMs,
        Long batches,
        Double meanBatchSize) {

    public long errorCount() {
        return requests - ok;
    }
}
