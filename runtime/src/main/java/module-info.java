/**
 * VecNN's runtime: load a model file and run it. The types an application uses are in {@code io.vecnn}
 * ({@link io.vecnn.Model}, {@link io.vecnn.InputSpec}, {@link io.vecnn.Classification}) and {@code io.vecnn.image}
 * (decoding and torchvision's preprocessing); the HTTP server is the module {@code io.vecnn.serve}. The other
 * packages are internals, exported only to VecNN's own modules: the server, the converter (which writes model
 * files and builds graphs), the tools and the benchmarks (which time kernels directly). The converter, tools
 * and bench jars are automatic modules of those names (their manifests' Automatic-Module-Name).
 */
module io.vecnn {
    requires jdk.incubator.vector;
    requires com.fasterxml.jackson.databind;
    requires java.desktop;
    // Model.warmUp reads the JIT's compilation clock to tell settled code from code still compiling;
    // VectorIsa asks HotSpot's UseAVX level (HotSpotDiagnosticMXBean) to learn the register file.
    requires java.management;
    requires jdk.management;

    exports io.vecnn;
    exports io.vecnn.image;
    exports io.vecnn.npy to
            io.vecnn.serve,
            io.vecnn.converter,
            io.vecnn.tools,
            io.vecnn.bench;
    exports io.vecnn.graph to
            io.vecnn.converter,
            io.vecnn.tools,
            io.vecnn.bench;
    exports io.vecnn.modelfile to
            io.vecnn.converter,
            io.vecnn.tools,
            io.vecnn.bench;
    exports io.vecnn.exec.fast to
            io.vecnn.converter,
            io.vecnn.tools,
            io.vecnn.bench;
    exports io.vecnn.exec.reference to
            io.vecnn.converter,
            io.vecnn.tools,
            io.vecnn.bench;
    exports io.vecnn.exec.parallel to
            io.vecnn.converter,
            io.vecnn.tools,
            io.vecnn.bench;
    exports io.vecnn.kernels to
            io.vecnn.converter,
            io.vecnn.tools,
            io.vecnn.bench;
}
