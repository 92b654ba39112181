package io.vecnn.bench.engines;

import ai.djl.engine.Engine;

/**
 * DJL's PyTorch engine, loaded once per process. The bench must not download anything: DJL takes libtorch
 * from the pytorch-native-cpu jar on the class path (extracting it into its cache) when it may not go
 * online. Settings the user gave as system properties win over the defaults chosen here.
 */
final class LibTorch {
    private static final Engine ENGINE = load();

    private LibTorch() {}

    /** The loaded engine; the first call loads libtorch. */
    static Engine engine() {
        return ENGINE;
    }

    /** The libtorch version DJL runs, e.g. {@code 2.7.1}. */
    static String version() {
        return ENGINE.getVersion();
    }

    private static Engine load() {
        defaultProperty("ai.djl.offline", "true");
        // Inter-op threads only serve TorchScript's fork/wait, which an eager network never uses; libtorch
        // accepts the setting only before its first parallel work, which is why it is made at load.
        defaultProperty("ai.djl.pytorch.num_interop_threads", "1");
        return Engine.getEngine("PyTorch");
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
