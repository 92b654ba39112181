package io.vecnn.exec.fast;

/** Channels {@code [offset, offset + own channels)} of a map with {@code total} channels. */
record Slice(int offset, int total) {}
