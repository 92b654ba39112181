package io.vecnn.exec.fast;

import java.util.concurrent.ForkJoinPool;

/** One prepared step of a plan: reads and writes the workspace's buffers by index, decides nothing at run time. */
interface Step {
    void run(float[][] buffers, int batch, ForkJoinPool pool);

    /** What the step computes, for per-layer profiles and debugging. */
    String describe();
}
