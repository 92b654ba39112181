package io.vecnn.bench.run;

/** Where a bench reports how far it has got: a progress bar on a terminal, lines in a log, or nothing in tests. */
public interface BenchProgress {
    /** A new phase, e.g. "resnet18 b1 t2: timing". */
    void stage(String message);

    /** {@code units} more of the planned work are done. */
    void advance(long units);

    BenchProgress NONE = new BenchProgress() {
        @Override
        public void stage(String message) {}

        @Override
        public void advance(long units) {}
    };
}
