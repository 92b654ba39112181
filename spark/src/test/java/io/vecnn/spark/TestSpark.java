package io.vecnn.spark;

import org.apache.spark.sql.SparkSession;

/** One real local[2] Spark session for all the module's tests (a session takes seconds to start). */
final class TestSpark {
    private TestSpark() {}

    static synchronized SparkSession session() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("vecnn-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }
}
