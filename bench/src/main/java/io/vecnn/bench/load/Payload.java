package io.vecnn.bench.load;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How each load request carries its input: the endpoint and encoding a client of the server would use. */
public enum Payload {
    /** KServe V2 inference, the tensor as a JSON number array. */
    V2_JSON("v2-json"),
    /** KServe V2 inference with the binary tensor extension: a JSON header, then raw little-endian floats. */
    V2_BINARY("v2-binary"),
    /** The /v1 predict endpoint with an encoded JPEG or PNG, which the server decodes and preprocesses. */
    IMAGE("image"),
    /** The /v1 predict endpoint with the tensor as an NPY file. */
    NPY("npy");

    private final String cliName;

    Payload(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** The payload called {@code name} on the command line, or an {@link IllegalArgumentException} naming the choices. */
    public static Payload of(String name) {
        return Arrays.stream(values())
                .filter(p -> p.cliName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown payload '" + name + "'; choose from "
                        + Arrays.stream(values()).map(Payload::cliName).collect(Collectors.joining(", "))));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
