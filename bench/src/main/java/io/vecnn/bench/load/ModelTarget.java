package io.vecnn.bench.load;

import java.net.URI;
import java.util.List;

/**
 * A model on a running server, as its metadata describes it.
 *
 * @param baseUri the server's address without a trailing slash, e.g. {@code http://127.0.0.1:8080}
 * @param model   the model's name in URLs
 * @param input   channels, height and width of one input image
 */
public record ModelTarget(URI baseUri, String model, List<Integer> input) {

    /** Values in one input image. */
    public int imageValues() {
        return input.get(0) * input.get(1) * input.get(2);
    }

    public URI resolve(String path) {
        // Concatenated rather than URI.resolve, so a base behind a proxy path prefix keeps its prefix.
        return URI.create(baseUri + path);
    }
}
