/**
 * VecNN's runtime: load a model file, run it, serve it. The types an application uses are in
 * {@code io.vecnn} ({@link io.vecnn.Model}, {@link io.vecnn.InputSpec}, {@link io.vecnn.Classification}),
 * {@code io.vecnn.image} (decoding and torchvision's preprocessing) and {@code io.vecnn.serve} (the HTTP
 * server); the other packages are exported for the converter and the benchmarks.
 */
module io.vecnn {
    requires jdk.incubator.vector;
    requires com.fasterxml.jackson.databind;
    requires java.desktop;
    requires jdk.httpserver;
    // Model.warmUp reads the JIT's compilation clock to tell settled code from code still compiling;
    // VectorIsa asks HotSpot's UseAVX level (HotSpotDiagnosticMXBean) to learn the register file.
    requires java.management;
    requires jdk.management;

    exports io.vecnn;
    exports io.vecnn.image;
    exports io.vecnn.serve;
    exports io.vecnn.npy;
    exports io.vecnn.graph;
    exports io.vecnn.modelfile;
    exports io.vecnn.exec.fast;
    exports io.vecnn.exec.reference;
    exports io.vecnn.exec.parallel;
    exports io.vecnn.kernels;
}
