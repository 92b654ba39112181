package io.vecnn.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/** Rows scored and rows that carry an error, summed on the driver as tasks finish. */
record RowCounters(LongAccumulator scored, LongAccumulator failed) {
    static RowCounters register(SparkContext context) {
        return new RowCounters(
                context.longAccumulator("vecnn rows scored"), context.longAccumulator("vecnn rows failed"));
    }
}
