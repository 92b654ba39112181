package io.vecnn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The names of the 1000 ImageNet-1k classes in the order torchvision's classifiers number their outputs,
 * so that output {@code i} of an ImageNet model is {@code names().get(i)}.
 */
public final class ImageNetClasses {
    private static final String RESOURCE = "imagenet-1k-classes.txt";
    private static final int COUNT = 1000;

    private ImageNetClasses() {}

    /** The 1000 class names (immutable), read from the bundled list on first use. */
    public static List<String> names() {
        return Holder.NAMES;
    }

    // A holder class so the list is read once, lazily and thread-safely, by the class loader.
    private static final class Holder {
        static final List<String> NAMES = load();
    }

    private static List<String> load() {
        try (InputStream in = ImageNetClasses.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the VecNN runtime jar");
            }
            List<String> names = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .toList();
            if (names.size() != COUNT) {
                throw new IllegalStateException(RESOURCE + " has " + names.size() + " names, expected " + COUNT);
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
