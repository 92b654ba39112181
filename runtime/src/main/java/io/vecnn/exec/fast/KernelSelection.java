package io.vecnn.exec.fast;

/** How a plan picks each layer's algorithm where several apply. */
public enum KernelSelection {
    /**
     * Time every candidate on this machine when the plan is built and keep the fastest, as an autotuner
     * does. Two plans may then choose differently (and round differently, within the tested tolerance).
     */
    MEASURE,
    /** Fixed rules: the same choice on every machine and every load, so results are reproducible bit for bit. */
    HEURISTIC
}
