package io.vecnn.tools;

import io.vecnn.converter.arch.Architectures;

import java.util.Iterator;

/** Lets picocli list the built-in architectures in help texts. */
public final class ArchitectureNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return Architectures.names().iterator();
    }
}
