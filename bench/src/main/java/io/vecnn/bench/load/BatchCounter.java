package io.vecnn.bench.load;

/**
 * One model's {@code vecnn_batch_size} histogram totals from a scrape of the server's Prometheus
 * {@code /metrics}: the images batched so far and the batches they formed. Two scrapes give the mean batch
 * size of what happened between them.
 *
 * @param images  {@code vecnn_batch_size_sum}
 * @param batches {@code vecnn_batch_size_count}
 */
public record BatchCounter(double images, long batches) {

    /** A model the server has not batched for yet has no series; that is a counter at zero. */
    static BatchCounter parse(String exposition, String model) {
        // Model names are letters, digits, '_', '.' and '-', which the exposition format does not escape.
        String sum = "vecnn_batch_size_sum{model=\"" + model + "\"} ";
        String count = "vecnn_batch_size_count{model=\"" + model + "\"} ";
        double images = 0;
        long batches = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(sum)) {
                images = Double.parseDouble(line.substring(sum.length()).trim());
            } else if (line.startsWith(count)) {
                batches =
                        (long) Double.parseDouble(line.substring(count.length()).trim());
            }
        }
        return new BatchCounter(images, batches);
    }

    /** Batches formed since {@code before}. */
    public long batchesSince(BatchCounter before) {
        return batches - before.batches;
    }

    /** Mean images per batch since {@code before}, or null when no batch ran in between. */
    public Double meanBatchSince(BatchCounter before) {
        long n = batchesSince(before);
        return n > 0 ? (images - before.images) / n : null;
    }
}
