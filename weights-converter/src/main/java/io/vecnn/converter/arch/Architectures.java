package io.vecnn.converter.arch;

import io.vecnn.VecnnException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The built-in architectures by name. */
public final class Architectures {
    private static final Map<String, Supplier<Architecture>> BUILT_IN = new LinkedHashMap<>();

    static {
        BUILT_IN.put("lenet5", LeNet5::new);
        BUILT_IN.put("resnet18", ResNet::resnet18);
        BUILT_IN.put("resnet50", ResNet::resnet50);
    }

    private Architectures() {
    }

    public static Set<String> names() {
        return BUILT_IN.keySet();
    }

    public static Architecture get(String name) {
        Supplier<Architecture> arch = BUILT_IN.get(name);
        if (arch == null) {
            throw new VecnnException("unknown architecture '" + name + "'; known: " + String.join(", ", names()));
        }
        return arch.get();
    }
}
