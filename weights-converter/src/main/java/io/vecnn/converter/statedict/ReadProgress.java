package io.vecnn.converter.statedict;

/** Told how many bytes of a weight file a reader has taken in, so a long read can show its progress. */
@FunctionalInterface
public interface ReadProgress {
    ReadProgress NONE = bytes -> {};

    void advance(long bytes);
}
