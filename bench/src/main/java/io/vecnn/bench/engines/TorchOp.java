package io.vecnn.bench.engines;

import ai.djl.pytorch.engine.PtNDArray;

/** One graph op as libtorch calls on NCHW tensors; the result belongs to the manager of the first input. */
@FunctionalInterface
interface TorchOp {
    PtNDArray apply(PtNDArray[] inputs);
}
